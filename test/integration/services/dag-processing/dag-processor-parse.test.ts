import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDag } from '../../../../src/sdk/index.ts';
import { createHarness, fixture, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness('parse');
});

afterAll(async () => {
  await h?.dispose();
});

describe('DagProcessor parsing valid DAG files', () => {
  let firstVersion = '';

  it('saves a TaskFlow DAG as a serialized, versioned DAG with its bundle', async () => {
    await h.upload('etl/orders.ts', fixture('etl.ts'));
    const result = await h.processor.processFile('etl/orders.ts');

    expect(result.outcome).toBe('parsed');
    expect(result.importError).toBeNull();
    expect(result.savedDagIds).toEqual(['fixture_etl']);
    firstVersion = result.dags[0]?.versionId ?? '';
    expect(firstVersion).toMatch(/^[0-9a-f]{16,}$/);

    const dag = await h.metastore.getDag('fixture_etl');
    expect(dag).toMatchObject({
      dagId: 'fixture_etl',
      fileloc: 'etl/orders.ts',
      isActive: true,
      isPaused: true,
      latestVersionId: firstVersion,
      description: 'Extract, transform, load',
      tags: ['fixture'],
      scheduleDescription: '@daily',
      nextDagRunCreateAfter: h.clock.now(),
      lastParsedAt: h.clock.now(),
    });

    const version = await h.metastore.getDagVersion('fixture_etl', firstVersion);
    expect(version?.serialized.fileloc).toBe('etl/orders.ts');
    expect(version?.serialized.tasks.map((task) => [task.taskId, task.upstreamTaskIds])).toEqual([
      ['extract', []],
      ['transform', ['extract']],
      ['load', ['transform']],
    ]);
    expect(version?.serialized.tasks[2]?.retries).toBe(2);
    expect(version?.bundleKey).toMatch(/^bundles\/[0-9a-f]{64}\.mjs$/);

    expect(await h.metastore.getDagFile('etl/orders.ts')).toMatchObject({ dagIds: ['fixture_etl'] });
    expect(await h.metastore.listImportErrors()).toEqual([]);
  });

  it('stores a bundle the task runner can import and run tasks from', async () => {
    const version = await h.metastore.getDagVersion('fixture_etl', firstVersion);
    const code = await h.objectStore.getText(version?.bundleKey ?? '');
    expect(code).not.toBeNull();

    const dir = await mkdtemp(join(tmpdir(), 'updraft-bundle-check-'));
    try {
      const path = join(dir, 'bundle.mjs');
      await writeFile(path, code ?? '');
      const exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const dag = Object.values(exports).find(isDag);
      const transform = dag?.tasks.get('transform');
      expect(transform?.operator).toBe('taskflow');
      const fn = (transform as { fn: (ctx: unknown, ...args: unknown[]) => unknown }).fn;
      expect(fn({}, [1, 2, 3])).toEqual([10, 20, 30]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the version when the same content is parsed again', async () => {
    h.clock.advanceSeconds(60);
    const again = await h.processor.processFile('etl/orders.ts');
    expect(again.dags).toEqual([{ dagId: 'fixture_etl', versionId: firstVersion }]);
    // A second processor (a new Lambda container) reaches the same version from the same content.
    const other = h.newProcessor();
    expect((await other.processFile('etl/orders.ts')).dags).toEqual([{ dagId: 'fixture_etl', versionId: firstVersion }]);
    expect((await h.metastore.getDag('fixture_etl'))?.lastParsedAt).toEqual(h.clock.now());
  });

  it("creates a new version when a task's code changes, and keeps the old one for runs that use it", async () => {
    const changed = fixture('etl.ts').replace('row * 10', 'row * 100');
    expect(changed).not.toBe(fixture('etl.ts'));
    await h.upload('etl/orders.ts', changed);
    const result = await h.processor.processFile('etl/orders.ts');

    const newVersion = result.dags[0]?.versionId;
    expect(newVersion).toMatch(/^[0-9a-f]{20}$/);
    expect(newVersion).not.toBe(firstVersion);
    expect((await h.metastore.getDag('fixture_etl'))?.latestVersionId).toBe(newVersion);
    const old = await h.metastore.getDagVersion('fixture_etl', firstVersion);
    const current = await h.metastore.getDagVersion('fixture_etl', newVersion ?? '');
    expect(old?.bundleKey).not.toBe(current?.bundleKey);
    expect(await h.objectStore.getText(old?.bundleKey ?? '')).not.toBeNull();
  });

  it('saves every DAG a file exports, once each', async () => {
    await h.upload('two-dags.ts', fixture('two-dags.ts'));
    const result = await h.processor.processFile('two-dags.ts');
    expect(result.outcome).toBe('parsed');
    expect(result.savedDagIds).toEqual(['fixture_first', 'fixture_second']);
    const first = await h.metastore.getDag('fixture_first');
    const version = await h.metastore.getDagVersion('fixture_first', first?.latestVersionId ?? '');
    expect(version?.serialized.tasks.map((task) => task.taskId)).toEqual(['start', 'hello']);
    expect(version?.serialized.tasks[1]?.templateFields).toMatchObject({ bashCommand: 'echo hello {{ ds }}' });
  });

  it('bundles sibling files that a DAG file imports', async () => {
    await h.upload('lib/greeting.ts', fixture('lib/greeting.ts'));
    await h.upload('with-helper.ts', fixture('with-helper.ts'));
    const result = await h.processor.processFile('with-helper.ts');
    expect(result.savedDagIds).toEqual(['fixture_with_helper']);
    const dag = await h.metastore.getDag('fixture_with_helper');
    expect(dag?.tags).toEqual(['team-greetings']);
    const version = await h.metastore.getDagVersion('fixture_with_helper', dag?.latestVersionId ?? '');
    expect(version?.serialized.tasks.map((task) => task.taskId)).toEqual(['greet']);
    expect(version?.serialized.tasks[0]?.args).toEqual([{ kind: 'literal', value: 'world' }]);
  });

  it('accepts a file that defines no DAG, without an import error', async () => {
    await h.upload('no-dags.ts', fixture('no-dags.ts'));
    const result = await h.processor.processFile('no-dags.ts');
    expect(result).toMatchObject({ outcome: 'parsed', savedDagIds: [], importError: null });
    expect(await h.metastore.listImportErrors()).toEqual([]);
  });

  it('leaves a manual-only DAG for the scheduler to ignore until it is triggered', async () => {
    await h.upload('manual.ts', fixture('manual.ts'));
    await h.processor.processFile('manual.ts');
    expect(await h.metastore.getDag('fixture_manual')).toMatchObject({ isActive: true, nextDagRunCreateAfter: null });
  });

  it('starts new DAGs unpaused when configured so', async () => {
    const unpaused = h.newProcessor({ dagsArePausedAtCreation: false });
    await h.upload('unpaused.ts', fixture('manual.ts').replace("'fixture_manual'", "'fixture_unpaused'"));
    await unpaused.processFile('unpaused.ts');
    expect((await h.metastore.getDag('fixture_unpaused'))?.isPaused).toBe(false);
  });
});
