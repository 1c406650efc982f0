import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import { createHarness, fixture, type Harness } from './harness.ts';

const onlyFirst = fixture('two-dags.ts')
  .replace(/export const second[\s\S]*?\n\}\);\n/, '')
  .replace('export default first;', '');

describe('DagProcessor file lifecycle', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness('lifecycle');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('deactivates the DAGs of a deleted file and forgets the file', async () => {
    await h.upload('doomed.ts', fixture('two-dags.ts'));
    await h.processor.handleObjectEvent({ detailType: 'Object Created', key: 'dags/doomed.ts' });
    expect((await h.metastore.getDag('fixture_first'))?.isActive).toBe(true);

    await h.remove('doomed.ts');
    const event = await h.processor.handleObjectEvent({ detailType: 'Object Deleted', key: 'dags/doomed.ts' });
    expect(event).toEqual({
      action: 'removed',
      result: { fileloc: 'doomed.ts', deactivatedDagIds: ['fixture_first', 'fixture_second'] },
    });
    expect((await h.metastore.getDag('fixture_first'))?.isActive).toBe(false);
    expect((await h.metastore.getDag('fixture_second'))?.isActive).toBe(false);
    expect(await h.metastore.getDagFile('doomed.ts')).toBeNull();
  });

  it('deactivates a DAG that disappears from a file that stays', async () => {
    expect(onlyFirst).not.toContain('fixture_second');
    await h.upload('shrinks.ts', fixture('two-dags.ts'));
    await h.processor.processFile('shrinks.ts');
    await h.upload('shrinks.ts', onlyFirst);
    const result = await h.processor.processFile('shrinks.ts');
    expect(result).toMatchObject({ savedDagIds: ['fixture_first'], deactivatedDagIds: ['fixture_second'] });
    expect((await h.metastore.getDag('fixture_first'))?.isActive).toBe(true);
    expect((await h.metastore.getDag('fixture_second'))?.isActive).toBe(false);
  });

  it('treats a created-event for a file already gone as its deletion', async () => {
    await h.upload('vanishing.ts', fixture('manual.ts').replace("'fixture_manual'", "'vanishing'"));
    await h.processor.processFile('vanishing.ts');
    await h.remove('vanishing.ts');
    const result = await h.processor.processFile('vanishing.ts');
    expect(result).toMatchObject({ outcome: 'removed', deactivatedDagIds: ['vanishing'] });
  });

  it('refuses a DAG id another active file already defines, naming that file', async () => {
    await h.upload('owner.ts', fixture('etl.ts'));
    await h.processor.processFile('owner.ts');
    const owned = await h.metastore.getDag('fixture_etl');

    await h.upload('copycat.ts', fixture('etl.ts'));
    const result = await h.processor.processFile('copycat.ts');
    expect(result.outcome).toBe('import_error');
    expect(result.importError?.message).toBe(
      'DAG id "fixture_etl" is already defined in owner.ts. DAG ids must be unique across files: rename one of ' +
        'the DAGs, or delete the other file.',
    );
    expect(await h.metastore.getDag('fixture_etl')).toEqual(owned);
  });

  it('ignores keys outside dags/ and files that are not DAG files', async () => {
    expect(await h.processor.handleObjectEvent({ detailType: 'Object Created', key: 'bundles/x.mjs' })).toMatchObject({
      action: 'ignored',
    });
    expect(await h.processor.handleObjectEvent({ detailType: 'Object Created', key: 'dags/data.json' })).toMatchObject({
      action: 'ignored',
    });
    await expect(h.processor.processFile('../outside.ts')).rejects.toThrow(ValidationError);
  });
});

describe('DagProcessor.processAll', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness('all');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('parses new files, skips unchanged ones, and handles changes and deletions', async () => {
    await h.upload('etl.ts', fixture('etl.ts'));
    await h.upload('manual.ts', fixture('manual.ts'));
    await h.upload('lib/greeting.ts', fixture('lib/greeting.ts'));
    await h.upload('with-helper.ts', fixture('with-helper.ts'));
    await h.upload('broken.js', fixture('syntax-error.js'));

    const first = await h.processor.processAll();
    expect(first.processed.map((file) => [file.fileloc, file.outcome])).toEqual([
      ['broken.js', 'import_error'],
      ['etl.ts', 'parsed'],
      ['lib/greeting.ts', 'parsed'],
      ['manual.ts', 'parsed'],
      ['with-helper.ts', 'parsed'],
    ]);
    expect(first.removed).toEqual([]);

    const second = await h.processor.processAll();
    expect(second.processed).toEqual([]);
    expect(second.unchanged).toEqual(['broken.js', 'etl.ts', 'lib/greeting.ts', 'manual.ts', 'with-helper.ts']);

    await h.upload('etl.ts', fixture('etl.ts').replace('row * 10', 'row * 7'));
    await h.upload('lib/greeting.ts', fixture('lib/greeting.ts').replace("'team-greetings'", "'team-hello'"));
    await h.remove('manual.ts');
    await h.remove('broken.js');
    const third = await h.processor.processAll();
    expect(third.processed.map((file) => file.fileloc)).toEqual(['etl.ts', 'lib/greeting.ts', 'with-helper.ts']);
    expect(third.removed).toEqual([
      { fileloc: 'broken.js', deactivatedDagIds: [] },
      { fileloc: 'manual.ts', deactivatedDagIds: ['fixture_manual'] },
    ]);
    expect((await h.metastore.getDag('fixture_with_helper'))?.tags).toEqual(['team-hello']);
    expect((await h.metastore.getDag('fixture_manual'))?.isActive).toBe(false);
    expect(await h.metastore.listImportErrors()).toEqual([]);
  });

  it('retries a file refused for a duplicate DAG id once the other file lets go of it', async () => {
    await h.upload('copy.ts', fixture('etl.ts'));
    expect((await h.processor.processFile('copy.ts')).outcome).toBe('import_error');

    await h.remove('etl.ts');
    const result = await h.processor.processAll();
    expect(result.removed.map((file) => file.fileloc)).toEqual(['etl.ts']);
    expect(result.processed.map((file) => [file.fileloc, file.outcome])).toEqual([['copy.ts', 'parsed']]);
    expect(await h.metastore.getDag('fixture_etl')).toMatchObject({ fileloc: 'copy.ts', isActive: true });
  });
});
