/**
 * A DAG folder with a file that fails to import, a good DAG and a DAG whose task fails: the broken file
 * touches nobody else, its error names the file and line until it is fixed, and a failed task fails its
 * run. No tick runs here: the fast path alone carries each run to its end.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../src/local/local-stack.ts';
import {
  returnValue,
  startTestStack,
  taskStates,
  triggerAndStart,
  waitForRunEnd,
  type OutputTail,
  attemptLog,
} from './stack-harness.ts';

const workDir = mkdtempSync(join(tmpdir(), 'updraft-e2e-import-'));
const dagsFolder = join(workDir, 'dags');

const BROKEN_DAG = `import { dag, empty } from 'updraft/sdk';

const owner: string = readOwner();

function readOwner(): string {
  throw new Error('Cannot reach the settings service');
}

export default dag({ dagId: 'broken_reports', tags: [owner] }, () => {
  empty({ taskId: 'noop' });
});
`;
/** 1-based line of the `throw` above. */
const BROKEN_LINE = BROKEN_DAG.split('\n').findIndex((line) => line.includes('throw new Error')) + 1;

const FIXED_DAG = `import { dag, empty } from 'updraft/sdk';

export default dag({ dagId: 'broken_reports', schedule: null }, () => {
  empty({ taskId: 'noop' });
});
`;

const GOOD_DAG = `import { bash, dag, task } from 'updraft/sdk';

const greet = task({ taskId: 'greet' }, (ctx) => 'hello from ' + ctx.dagId);

export default dag({ dagId: 'good_neighbour', schedule: null }, () => {
  greet().setDownstream(bash({ taskId: 'shout', bashCommand: 'echo "{{ ti.xcom_pull(task_ids=\\'greet\\') }}" | tr a-z A-Z' }));
});
`;

const FAILING_DAG = `import { bash, dag, task } from 'updraft/sdk';

const load = task({ taskId: 'load' }, () => {
  throw new Error('The warehouse rejected the load: table orders is locked');
});

const publish = task({ taskId: 'publish' }, (ctx, rows: number) => rows);

export default dag({ dagId: 'fails_once', schedule: null }, () => {
  const report = bash({ taskId: 'report', bashCommand: 'echo report' });
  publish(load()).setDownstream(report);
  bash({ taskId: 'unrelated', bashCommand: 'echo still runs' });
});
`;

let stack: LocalStack;
let output: OutputTail;

beforeAll(async () => {
  mkdirSync(dagsFolder);
  writeFileSync(join(dagsFolder, 'broken-reports.ts'), BROKEN_DAG);
  writeFileSync(join(dagsFolder, 'good-neighbour.ts'), GOOD_DAG);
  writeFileSync(join(dagsFolder, 'fails-once.ts'), FAILING_DAG);
  ({ stack, output } = await startTestStack({ dagsFolder }));
  await stack.dagSync.syncAll();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

async function activeDagIds(): Promise<string[]> {
  return (await stack.metastore.listDags())
    .filter((dag) => dag.isActive)
    .map((dag) => dag.dagId)
    .sort();
}

describe('import errors and failed tasks on the local stack', () => {
  it('records the broken file with its line and still runs the other DAGs', async () => {
    const errors = await stack.metastore.listImportErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ fileloc: 'broken-reports.ts', line: BROKEN_LINE });
    expect(errors[0]!.message).toContain('Cannot reach the settings service');
    expect(await activeDagIds()).toEqual(['fails_once', 'good_neighbour']);

    const key = await triggerAndStart(stack, { dagId: 'good_neighbour' });
    const run = await waitForRunEnd(stack, key, { output });
    expect(run.state).toBe('success');
    expect(await taskStates(stack, key)).toEqual({ greet: 'success/1', shout: 'success/1' });
    expect(await returnValue(stack, key, 'shout')).toBe('HELLO FROM GOOD_NEIGHBOUR');
  }, 60_000);

  it('clears the import error once the file is fixed in the folder', async () => {
    writeFileSync(join(dagsFolder, 'broken-reports.ts'), FIXED_DAG);
    const { uploaded } = await stack.dagSync.syncAll();
    expect(uploaded).toEqual(['broken-reports.ts']);
    expect(await stack.metastore.listImportErrors()).toEqual([]);
    expect(await activeDagIds()).toEqual(['broken_reports', 'fails_once', 'good_neighbour']);
  }, 60_000);

  it('fails the run when a task without retries fails, and marks its downstream upstream_failed', async () => {
    const key = await triggerAndStart(stack, { dagId: 'fails_once' });
    const run = await waitForRunEnd(stack, key, { output });
    expect(run.state).toBe('failed');
    expect(await taskStates(stack, key)).toEqual({
      load: 'failed/1',
      publish: 'upstream_failed/0',
      report: 'upstream_failed/0',
      unrelated: 'success/1',
    });
    const log = await attemptLog(stack, key, 'load');
    expect(log).toContain('The warehouse rejected the load: table orders is locked');
  }, 60_000);
});
