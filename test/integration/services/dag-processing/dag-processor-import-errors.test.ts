import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, fixture, markedLine, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness('errors');
});

afterAll(async () => {
  await h?.dispose();
});

describe('DagProcessor import errors', () => {
  it.each([
    { kind: 'a syntax error', name: 'syntax-error.js', message: 'Unexpected ";"' },
    { kind: 'an error thrown at import', name: 'throws-at-import.ts', message: 'Cannot reach the settings service' },
    { kind: 'a dependency cycle', name: 'cycle.ts', message: 'cycle: a -> b -> c -> a' },
    { kind: 'a duplicate task id', name: 'duplicate-task.ts', message: 'duplicate task id' },
    { kind: 'an unknown trigger rule', name: 'unknown-trigger-rule.ts', message: 'unknown trigger rule "all_good"' },
    { kind: 'a bad cron expression', name: 'bad-cron.ts', message: '61 * * * *' },
  ])('records $kind with its message and line, and saves no DAG', async ({ name, message }) => {
    const source = fixture(name);
    const fileloc = `broken/${name}`;
    await h.upload(fileloc, source);
    const result = await h.processor.processFile(fileloc);

    expect(result.outcome).toBe('import_error');
    expect(result.savedDagIds).toEqual([]);
    expect(result.importError?.message).toContain(message);
    expect(result.importError?.message).not.toMatch(/\n\s+at /);
    expect(result.importError?.line).toBe(markedLine(source));

    const stored = (await h.metastore.listImportErrors()).find((error) => error.fileloc === fileloc);
    expect(stored).toEqual({ fileloc, message: result.importError?.message, line: markedLine(source), timestamp: h.clock.now() });
  });

  it('names the definition problem for DAG definition errors', async () => {
    const errors = await h.metastore.listImportErrors();
    const cycle = errors.find((error) => error.fileloc === 'broken/cycle.ts');
    expect(cycle?.message).toMatch(/^DagDefinitionError: DAG "fixture_cycle"/);
  });

  it('stops a file that takes longer than the parse timeout', async () => {
    const impatient = h.newProcessor({ parseTimeoutSeconds: 1 });
    await h.upload('slow/infinite-loop.ts', fixture('infinite-loop.ts'));
    const result = await impatient.processFile('slow/infinite-loop.ts');
    expect(result.outcome).toBe('import_error');
    expect(result.importError?.message).toMatch(/^DAG file took longer than 1 s to import; /);
    expect(result.importError?.line).toBeNull();
  });

  it("leaves other files' DAGs active and unchanged when a file fails", async () => {
    await h.upload('healthy.ts', fixture('etl.ts'));
    await h.processor.processFile('healthy.ts');
    const before = await h.metastore.getDag('fixture_etl');

    await h.upload('breaks-later.ts', fixture('throws-at-import.ts'));
    h.clock.advanceSeconds(30);
    await h.processor.processFile('breaks-later.ts');

    expect(await h.metastore.getDag('fixture_etl')).toEqual(before);
    const files = (await h.metastore.listImportErrors()).map((error) => error.fileloc);
    expect(files).toContain('breaks-later.ts');
    expect(files).not.toContain('healthy.ts');
  });

  it('clears the import error once the file is fixed', async () => {
    await h.upload('fixed-later.ts', fixture('throws-at-import.ts'));
    expect((await h.processor.processFile('fixed-later.ts')).outcome).toBe('import_error');

    await h.upload('fixed-later.ts', fixture('manual.ts').replace("'fixture_manual'", "'fixed_later'"));
    const result = await h.processor.processFile('fixed-later.ts');
    expect(result).toMatchObject({ outcome: 'parsed', savedDagIds: ['fixed_later'], importError: null });
    expect((await h.metastore.listImportErrors()).map((error) => error.fileloc)).not.toContain('fixed-later.ts');
  });

  it("deactivates a broken file's DAGs until it imports again, as Airflow 3 does", async () => {
    const good = fixture('manual.ts').replace("'fixture_manual'", "'toggled'");
    await h.upload('toggle.ts', good);
    const { dags } = await h.processor.processFile('toggle.ts');

    await h.upload('toggle.ts', fixture('syntax-error.js'));
    const broken = await h.processor.processFile('toggle.ts');
    expect(broken.deactivatedDagIds).toEqual(['toggled']);
    expect((await h.metastore.getDag('toggled'))?.isActive).toBe(false);

    await h.upload('toggle.ts', good);
    const repaired = await h.processor.processFile('toggle.ts');
    expect(repaired.dags).toEqual(dags);
    expect((await h.metastore.getDag('toggled'))?.isActive).toBe(true);
  });
});

describe('DagProcessor import errors within one file', () => {
  it('refuses two different DAGs with the same id in one file', async () => {
    const source =
      "import { dag, empty } from 'updraft/sdk';\n" +
      "export const a = dag({ dagId: 'twin' }, () => { empty({ taskId: 'x' }); });\n" +
      "export const b = dag({ dagId: 'twin' }, () => { empty({ taskId: 'y' }); });\n";
    await h.upload('twins.ts', source);
    const result = await h.processor.processFile('twins.ts');
    expect(result.importError?.message).toBe(
      'DAG id "twin" is defined twice in this file (exports "a" and "b"). Give each DAG its own dagId.',
    );
    expect(await h.metastore.getDag('twin')).toBeNull();
  });
});
