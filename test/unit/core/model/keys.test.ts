import { describe, expect, it } from 'vitest';
import { decodeTaskInstanceId, encodeTaskInstanceId, runIdFor } from '../../../../src/core/model/keys.ts';

describe('runIdFor', () => {
  it('writes the logical date as Airflow (Python isoformat) does', () => {
    expect(runIdFor('scheduled', new Date('2026-01-01T06:00:00Z'))).toBe('scheduled__2026-01-01T06:00:00+00:00');
    expect(runIdFor('manual', new Date('2026-01-01T06:00:00.250Z'))).toBe('manual__2026-01-01T06:00:00.250000+00:00');
  });

  it('gives two triggers within one second different ids', () => {
    expect(runIdFor('manual', new Date('2026-01-01T06:00:00.100Z'))).not.toBe(runIdFor('manual', new Date('2026-01-01T06:00:00.900Z')));
  });
});

describe('task instance ids in URLs', () => {
  it('round-trip every part of the key, including characters URLs care about', () => {
    const key = { dagId: 'etl', runId: 'manual__2026-01-01T06:00:00.250000+00:00', taskId: 'a/b c', mapIndex: 3 };
    expect(decodeTaskInstanceId(encodeTaskInstanceId(key))).toEqual(key);
  });

  it('refuse what is not one', () => {
    expect(decodeTaskInstanceId('not-an-id')).toBeNull();
    expect(decodeTaskInstanceId(Buffer.from('["a","b","c","x"]').toString('base64url'))).toBeNull();
  });
});
