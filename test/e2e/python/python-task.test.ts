/**
 * Python tasks end to end on the local stack: the worker downloads the script, a python3 process runs
 * it through Updraft's Python client against the real Execution API, and XComs cross between languages.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagRunKey } from '../../../src/core/model/keys.ts';
import type { LocalStack } from '../../../src/local/local-stack.ts';
import {
  attemptLog as attemptLogOf,
  returnValue,
  startTestStack,
  taskStates,
  triggerAndStart,
  waitForRunEnd,
  type OutputTail,
} from '../local-stack/stack-harness.ts';

const REPO_DAGS = fileURLToPath(new URL('../../../dags/', import.meta.url));
const FIXTURE_DAGS = fileURLToPath(new URL('./dags/', import.meta.url));

let stack: LocalStack;
let output: OutputTail;
let dagsFolder: string;

beforeAll(async () => {
  // The example DAG as shipped, plus this file's fixtures, in one DAGs folder.
  dagsFolder = await mkdtemp(join(tmpdir(), 'updraft-python-e2e-'));
  await cp(join(REPO_DAGS, 'python-mixed.ts'), join(dagsFolder, 'python-mixed.ts'));
  await cp(join(REPO_DAGS, 'python'), join(dagsFolder, 'python'), { recursive: true });
  await cp(FIXTURE_DAGS, dagsFolder, { recursive: true });
  ({ stack, output } = await startTestStack({ dagsFolder }));
  await stack.dagSync.syncAll();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  if (dagsFolder) await rm(dagsFolder, { recursive: true, force: true });
}, 60_000);

async function runToEnd(dagId: string) {
  const key = await triggerAndStart(stack, { dagId, logicalDate: new Date('2026-03-01T00:00:00Z') });
  const run = await waitForRunEnd(stack, key, { scheduleEachPoll: true, output });
  return { key, run, states: await taskStates(stack, key) };
}

function attemptLog(key: DagRunKey, taskId: string, tryNumber = 1): Promise<string> {
  return attemptLogOf(stack, key, taskId, tryNumber);
}

describe('python tasks on the local stack', () => {
  it('parses the DAGs and ignores the .py files', async () => {
    expect(await stack.metastore.listImportErrors()).toEqual([]);
    const active = (await stack.metastore.listDags()).filter((dag) => dag.isActive).map((dag) => dag.dagId);
    expect(active.sort()).toEqual(['python_mixed', 'python_outcomes', 'python_outlets']);
  });

  it('python_mixed: TypeScript → Python → TypeScript, with XComs across and the Python output in the log', async () => {
    const { key, run, states } = await runToEnd('python_mixed');
    expect(run.state).toBe('success');
    expect(states).toEqual({ extract: 'success/1', transform: 'success/1', report: 'success/1' });
    // 120 EUR + 80 USD × 0.92 + 42.50 EUR
    expect(await returnValue(stack, key, 'transform')).toEqual({ orderCount: 3, totalEur: 236.1, currencies: ['EUR', 'USD'] });
    expect(await returnValue(stack, key, 'report')).toBe('3 orders, 236.1 EUR');
    const log = await attemptLog(key, 'transform');
    expect(log).toMatch(/\] INFO Transforming 3 orders for 2026-03-01 \(try 1\)\n/);
    expect(log).toMatch(/\] INFO USD to EUR rate 0\.92\n/);
    expect(log).toMatch(/\] INFO Marking task as SUCCESS\.\n$/);
  }, 60_000);

  it('python_outcomes: an exception fails with its traceback, SkipTask skips, a timeout and a missing script fail', async () => {
    const { key, run, states } = await runToEnd('python_outcomes');
    expect(run.state).toBe('failed');
    expect(states).toEqual({ raises: 'failed/1', skips: 'skipped/1', too_slow: 'failed/1', no_script: 'failed/1' });

    const raised = await attemptLog(key, 'raises');
    expect(raised).toContain('INFO about to parse');
    expect(raised).toContain('ERROR Task failed: Traceback (most recent call last):');
    expect(raised).toContain('ERROR   File "dags/python/outcomes.py", line 7, in parse\n');
    expect(raised).toContain("ERROR ValueError: invalid literal for int() with base 10: 'not a number'");

    expect(await attemptLog(key, 'skips')).toContain('INFO Task skipped: nothing to do on 2026-03-01');

    const slow = await attemptLog(key, 'too_slow');
    expect(slow).toContain('INFO starting a long job');
    expect(slow).toContain('The task ran longer than its executionTimeout of 1s and was stopped.');
    expect(slow).toContain('INFO Marking task as FAILED.');

    expect(await attemptLog(key, 'no_script')).toContain('FileNotFoundError: The task script dags/python/missing.py is not in the DAGs folder');
  }, 60_000);

  it('python_outlets: a Python task\'s outlets become asset events carrying the extra it set', async () => {
    const { key, run, states } = await runToEnd('python_outlets');
    expect(run.state).toBe('success');
    expect(states).toEqual({ load_orders: 'success/1' });
    const events = await stack.metastore.listAssetEvents('s3://lake/orders/');
    expect(events.map((event) => ({ extra: event.extra, source: event.source }))).toEqual([
      { extra: { rows: 3 }, source: { dagId: 'python_outlets', runId: key.runId, taskId: 'load_orders', mapIndex: -1, tryNumber: 1 } },
    ]);
  }, 60_000);
});
