/**
 * The example DAGs in the repository's dags/ folder, run end to end on the local stack: DAG processor,
 * scheduler, SQS, worker processes and Execution API, all real.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../src/local/local-stack.ts';
import {
  attemptLog,
  mappedReturnValues,
  returnValue,
  startTestStack,
  taskStates,
  triggerAndStart,
  waitForRunEnd,
  type OutputTail,
} from './stack-harness.ts';

const EXAMPLE_DAGS = fileURLToPath(new URL('../../../dags/', import.meta.url));

let stack: LocalStack;
let output: OutputTail;

beforeAll(async () => {
  ({ stack, output } = await startTestStack({ dagsFolder: EXAMPLE_DAGS }));
  await stack.dagSync.syncAll();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

async function runToEnd(dagId: string, request: { logicalDate?: Date; conf?: Record<string, unknown> } = {}) {
  const key = await triggerAndStart(stack, { dagId, ...request });
  const run = await waitForRunEnd(stack, key, { scheduleEachPoll: true, output });
  return { key, run, states: await taskStates(stack, key) };
}

describe('example DAGs on the local stack', () => {
  it('parses every example DAG without import errors', async () => {
    expect(await stack.metastore.listImportErrors()).toEqual([]);
    const active = (await stack.metastore.listDags()).filter((dag) => dag.isActive).map((dag) => dag.dagId);
    expect(active.sort()).toEqual(['branch_trigger_rules', 'branching_example', 'deferrable_example', 'etl_taskflow', 'fan_out_fan_in', 'mapping_example', 'python_mixed', 'retry_once', 'sensors_example']);
  });

  it('etl_taskflow passes each return value downstream and load returns the EUR total', async () => {
    const { key, run, states } = await runToEnd('etl_taskflow');
    expect(run.state).toBe('success');
    expect(states).toEqual({ extract: 'success/1', transform: 'success/1', load: 'success/1' });
    expect(await returnValue(stack, key, 'transform')).toEqual({ orderCount: 3, totalEur: 236.1 });
    // 120 EUR + 80 USD × 0.92 + 42.50 EUR
    expect(await returnValue(stack, key, 'load')).toBe(236.1);
  }, 60_000);

  it('fan_out_fan_in runs six parallel counts and summarize returns their sum', async () => {
    const { key, run, states } = await runToEnd('fan_out_fan_in');
    expect(run.state).toBe('success');
    expect(states).toEqual({
      // As in Airflow, an empty task is marked success without running, and counts one try.
      start: 'success/1',
      count_eu_west: 'success/1',
      count_eu_central: 'success/1',
      count_us_east: 'success/1',
      count_us_west: 'success/1',
      count_ap_south: 'success/1',
      count_ap_east: 'success/1',
      summarize: 'success/1',
    });
    // Each count echoes its partition name's length × 10 as the last line of stdout.
    expect(await returnValue(stack, key, 'count_eu_central')).toBe('100');
    expect(await returnValue(stack, key, 'summarize')).toBe(70 + 100 + 70 + 70 + 80 + 70);
  }, 60_000);

  it('mapping_example expands over an upstream list, a literal cross product and a mapped group, and skips an empty map', async () => {
    const { key, run, states } = await runToEnd('mapping_example');
    expect(run.state).toBe('success');
    expect(await mappedReturnValues(stack, key, 'count_rows')).toEqual([100, 130, 100]);
    expect(await returnValue(stack, key, 'total')).toBe(330);
    expect(await mappedReturnValues(stack, key, 'scale')).toEqual([200, 260, 200]);
    expect(await mappedReturnValues(stack, key, 'pair')).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(await mappedReturnValues(stack, key, 'per_region.report')).toEqual(['eu=14', 'us=14']);
    expect(states).toMatchObject({ count_rows: 'removed/0', 'count_rows[2]': 'success/1', nothing_to_do: 'skipped/0' });
    expect(await attemptLog(stack, key, 'count_rows', 1, 1)).toContain('customers.csv: 130 rows (map index 1)');
  });

  it('retry_once succeeds on the second try and keeps the first attempt’s failure log', async () => {
    const { key, run, states } = await runToEnd('retry_once');
    expect(run.state).toBe('success');
    expect(states).toEqual({ flaky: 'success/2', report: 'success/1' });
    expect(await returnValue(stack, key, 'flaky')).toBe(2);
    const firstAttemptLog = await attemptLog(stack, key, 'flaky', 1);
    expect(firstAttemptLog).toContain('Simulated transient failure on the first try');
    const secondAttemptLog = await attemptLog(stack, key, 'flaky', 2);
    expect(secondAttemptLog).toContain('Succeeded on try 2');
  }, 60_000);

  it('sensors_example pokes in reschedule mode and succeeds on its first try once the wait is over', async () => {
    const { key, run, states } = await runToEnd('sensors_example');
    expect(run.state).toBe('success');
    expect(states).toEqual({ settled: 'success/1', wait_a_little: 'success/1', report: 'success/1' });
    expect(await returnValue(stack, key, 'wait_a_little')).toBeGreaterThanOrEqual(8000);
    expect(await attemptLog(stack, key, 'wait_a_little', 1)).toContain('Success criteria met.');
  }, 60_000);

  it('branch_trigger_rules takes the incremental path with the default params', async () => {
    const { run, states } = await runToEnd('branch_trigger_rules', { logicalDate: new Date('2026-02-01T00:00:00Z') });
    expect(run.state).toBe('success');
    expect(states).toEqual({
      choose: 'success/1',
      full_load: 'skipped/1',
      incremental_load: 'success/1',
      join: 'success/1',
      notify_failure: 'skipped/0',
      cleanup: 'success/1',
    });
  }, 60_000);

  it('branch_trigger_rules takes the full path when the run conf says mode=full', async () => {
    const { run, states } = await runToEnd('branch_trigger_rules', {
      logicalDate: new Date('2026-02-02T00:00:00Z'),
      conf: { mode: 'full' },
    });
    expect(run.state).toBe('success');
    expect(states).toEqual({
      choose: 'success/1',
      full_load: 'success/1',
      incremental_load: 'skipped/1',
      join: 'success/1',
      notify_failure: 'skipped/0',
      cleanup: 'success/1',
    });
  }, 60_000);
});
