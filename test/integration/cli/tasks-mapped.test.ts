import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskLogKey } from '../../../src/core/model/workload.ts';
import { serializedTask } from '../../support/serialized-dags.ts';
import { at, dagRun, parsedDag, serializedDag, taskInstance } from '../aws/dynamodb/fixtures.ts';
import { createRestCliHarness, type Mode } from './rest-cli-harness.ts';

/** The task commands on a run with a mapped task: `process` expanded to two instances beside its -1 placeholder. */

let h: Awaited<ReturnType<typeof createRestCliHarness>>;
const RUN = dagRun('fan', '2026-01-01T00:00:00.000Z', { state: 'failed' });
const expand = { expandInputs: [{ target: { kind: 'arg' as const, index: 0 }, source: { kind: 'literal' as const, values: ['a', 'b'] } }] };

beforeAll(async () => {
  h = await createRestCliHarness('cli-mapped');
  const tasks = [serializedTask('extract'), serializedTask('process', ['extract'], expand), serializedTask('summarize', ['process'])];
  await h.metastore.saveParsedDag(parsedDag('fan', { serialized: serializedDag('fan', { tasks }), pausedAtCreation: false }));
  await h.metastore.createDagRun(RUN);
  await h.metastore.createTaskInstances([
    taskInstance(RUN, 'extract', { state: 'success', tryNumber: 1 }),
    taskInstance(RUN, 'process', { state: 'removed' }),
    taskInstance(RUN, 'process', { mapIndex: 0, state: 'success', tryNumber: 1, startDate: at('2026-01-02T00:00:01.000Z'), endDate: at('2026-01-02T00:00:02.000Z') }),
    taskInstance(RUN, 'process', { mapIndex: 1, state: 'failed', tryNumber: 1, startDate: at('2026-01-02T00:00:01.000Z'), endDate: at('2026-01-02T00:00:03.000Z') }),
    taskInstance(RUN, 'summarize', { state: 'upstream_failed' }),
  ]);
  await h.objectStore.put(taskLogKey({ dagId: 'fan', runId: RUN.runId, taskId: 'process', mapIndex: 1, tryNumber: 1 }), 'element b: division by zero\n');
});

afterAll(async () => h?.close());

const json = async <T>(mode: Mode, ...args: string[]): Promise<T> => {
  const result = await h.run(mode, [...args, '-o', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
};

describe('tasks commands on mapped task instances', () => {
  it('states-for-dag-run shows a map_index column and each mapped instance, not the placeholder', async () => {
    const table = await h.run('local', ['tasks', 'states-for-dag-run', 'fan', RUN.runId]);
    expect(table.stdout.split('\n')[0]).toMatch(/^dag_id +\| logical_date +\| task_id +\| map_index \| state/);
    expect(table.stdout).toMatch(/\| process +\| 1 +\| failed /);
    const rows = await json<Array<Record<string, unknown>>>('remote', 'tasks', 'states-for-dag-run', 'fan', RUN.runId);
    expect(rows.map((row) => [row.task_id, row.map_index, row.state])).toEqual([
      ['extract', -1, 'success'],
      ['summarize', -1, 'upstream_failed'],
      ['process', 0, 'success'],
      ['process', 1, 'failed'],
    ]);
  });

  it('list-mapped lists the instances by map index, filtered by state', async () => {
    const table = await h.run('remote', ['tasks', 'list-mapped', 'fan', RUN.runId, 'process']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n').slice(0, 1)).toEqual(['map_index | state   | try_number | start_date               | end_date']);
    expect(table.stdout).toMatch(/^0 +\| success \| 1 +\| 2026-01-02T00:00:01.000Z \| 2026-01-02T00:00:02.000Z$/m);
    const failed = await json<Array<Record<string, unknown>>>('local', 'tasks', 'list-mapped', 'fan', RUN.runId, 'process', '--state', 'failed');
    expect(failed).toEqual([{ map_index: 1, state: 'failed', try_number: 1, start_date: '2026-01-02T00:00:01.000Z', end_date: '2026-01-02T00:00:03.000Z' }]);

    const unmapped = await h.run('local', ['tasks', 'list-mapped', 'fan', RUN.runId, 'extract']);
    expect(unmapped.code).toBe(1);
    expect(unmapped.stderr).toContain('Task id extract is not mapped');
  });

  it('state prints one instance, by --map-index for a mapped task', async () => {
    expect(await h.run('local', ['tasks', 'state', 'fan', 'process', RUN.runId, '--map-index', '1'])).toMatchObject({ code: 0, stdout: 'failed\n' });
    expect(await h.run('remote', ['tasks', 'state', 'fan', 'summarize', RUN.runId])).toMatchObject({ code: 0, stdout: 'upstream_failed\n' });
    const noIndex = await h.run('remote', ['tasks', 'state', 'fan', 'process', RUN.runId]);
    expect(noIndex.code).toBe(2);
    expect(noIndex.stderr).toContain(`Task process is mapped: give --map-index <n>. List its instances with \`updraft tasks list-mapped fan ${RUN.runId} process\``);
    expect((await h.run('local', ['tasks', 'state', 'fan', 'process', RUN.runId, '--map-index', 'x'])).code).toBe(2);
  });

  it("logs prints a mapped instance's log by --map-index", async () => {
    const log = await h.run('remote', ['tasks', 'logs', 'fan', RUN.runId, 'process', '--map-index', '1']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain('element b: division by zero');
    expect((await h.run('local', ['tasks', 'logs', 'fan', RUN.runId, 'process'])).stderr).toContain('give --map-index');
  });
});
