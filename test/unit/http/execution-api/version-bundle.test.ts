import { describe, expect, it } from 'vitest';
import { UnsupportedApiVersionError } from '../../../../src/http/execution-api/versioning/unsupported-version-error.ts';
import { VersionBundle } from '../../../../src/http/execution-api/versioning/version-bundle.ts';
import { whenObject, type ApiVersion, type VersionChange } from '../../../../src/http/execution-api/versioning/version-change.ts';

/** Three versions whose changes record the order they run in. */
function bundle(trace: string[] = []) {
  const change = (name: string): VersionChange => ({
    name,
    description: `${name} changed something.`,
    requests: { finishTaskInstance: whenObject((body) => void trace.push(`request ${name} ${String(body.step)}`)) },
    responses: { startTaskInstance: whenObject((body) => void trace.push(`response ${name} ${String(body.step)}`)) },
  });
  const versions: ApiVersion[] = [
    { date: '2027-03-01', changes: [change('C1'), change('C2')] },
    { date: '2026-12-01', changes: [change('B')] },
    { date: '2026-06-01', changes: [] },
  ];
  return new VersionBundle(versions, 'Updraft-Api-Version');
}

describe('VersionBundle', () => {
  it('names head and the oldest version', () => {
    const b = bundle();
    expect(b.head).toBe('2027-03-01');
    expect(b.oldest).toBe('2026-06-01');
    expect(b.dates).toEqual(['2027-03-01', '2026-12-01', '2026-06-01']);
  });

  it('reads a missing header as head and accepts every kept version', () => {
    const b = bundle();
    expect(b.resolve(undefined)).toBe('2027-03-01');
    expect(b.resolve('2026-12-01')).toBe('2026-12-01');
  });

  it('refuses a version it does not keep, naming the ones it does', () => {
    const b = bundle();
    for (const bad of ['2026-09-01', '2028-01-01', 'latest']) {
      const error = (() => {
        try {
          b.resolve(bad);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(UnsupportedApiVersionError);
      expect((error as UnsupportedApiVersionError).field).toBe('Updraft-Api-Version');
      expect((error as UnsupportedApiVersionError).supportedVersions).toEqual(['2027-03-01', '2026-12-01', '2026-06-01']);
      expect((error as Error).message).toContain('2027-03-01, 2026-12-01, 2026-06-01');
    }
  });

  it('raises an old request through every later change, oldest first', () => {
    const trace: string[] = [];
    bundle(trace).requestToHead('finishTaskInstance', '2026-06-01', { step: 1 });
    expect(trace).toEqual(['request B 1', 'request C1 1', 'request C2 1']);
  });

  it('lowers a head answer through every later change, newest first', () => {
    const trace: string[] = [];
    bundle(trace).responseFromHead('startTaskInstance', '2026-06-01', { step: 1 });
    expect(trace).toEqual(['response C2 1', 'response C1 1', 'response B 1']);
  });

  it("skips the changes of the client's own version and older", () => {
    const trace: string[] = [];
    const b = bundle(trace);
    b.requestToHead('finishTaskInstance', '2026-12-01', { step: 1 });
    b.responseFromHead('startTaskInstance', '2027-03-01', { step: 2 });
    expect(trace).toEqual(['request C1 1', 'request C2 1']);
  });

  it('leaves operations a change does not name untouched, and never mutates the caller’s body', () => {
    const trace: string[] = [];
    const b = bundle(trace);
    const renaming = new VersionBundle(
      [
        {
          date: '2026-07-01',
          changes: [{ name: 'Rename', description: 'd', requests: { setXCom: whenObject((body) => void (body.value = 'new')) } }],
        },
        { date: '2026-06-01', changes: [] },
      ],
      'Updraft-Api-Version',
    );
    const body = { value: 'old', nested: { a: 1 } };
    expect(renaming.requestToHead('setXCom', '2026-06-01', body)).toEqual({ value: 'new', nested: { a: 1 } });
    expect(body.value).toBe('old');
    expect(renaming.requestToHead('finishTaskInstance', '2026-06-01', body)).toEqual(body);
    expect(b.requestToHead('heartbeatTaskInstance', '2026-06-01', ['not', 'an', 'object'])).toEqual(['not', 'an', 'object']);
  });

  it.each([
    ['no version', [], 'at least the head version'],
    ['versions out of order', [{ date: '2026-06-01', changes: [] }, { date: '2026-07-01', changes: [] }], 'newest first'],
    ['a repeated version', [{ date: '2026-06-01', changes: [] }, { date: '2026-06-01', changes: [] }], 'newest first'],
    ['a date that is not YYYY-MM-DD', [{ date: '2026-6-1', changes: [] }], 'YYYY-MM-DD'],
    [
      'a change name used twice',
      [
        { date: '2026-08-01', changes: [{ name: 'X', description: 'd' }] },
        { date: '2026-07-01', changes: [{ name: 'X', description: 'd' }] },
        { date: '2026-06-01', changes: [] },
      ],
      'listed twice',
    ],
    ['an oldest version with changes', [{ date: '2026-06-01', changes: [{ name: 'X', description: 'd' }] }], 'no older version'],
  ])('refuses a bundle with %s', (_, versions, message) => {
    expect(() => new VersionBundle(versions as ApiVersion[], 'Updraft-Api-Version')).toThrow(message);
  });
});
