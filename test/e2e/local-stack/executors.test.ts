/**
 * One DAG whose tasks run on three executors, under `updraft standalone`'s stack: `lambda` (the SQS
 * queue and worker pool), `local` (a child process per attempt) and `fargate` (locally, the container's
 * entry as a child process). A DAG naming an executor that is not configured is an import error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdraftConfig } from '../../../src/core/config/updraft-config.ts';
import { executorLogKey } from '../../../src/core/model/workload.ts';
import type { LocalStack } from '../../../src/local/local-stack.ts';
import { returnValue, startStackWithDagFiles, taskStates, triggerAndStart, waitFor, waitForRunEnd, type OutputTail } from './stack-harness.ts';

const THREE_EXECUTORS = `import { dag, task } from 'updraft/sdk';

const onLambda = task({ taskId: 'on_lambda' }, () => 1);
const onLocal = task({ taskId: 'on_local', executor: 'local' }, (ctx, n: number) => n + 1);
const onFargate = task(
  { taskId: 'on_fargate', executor: 'fargate', executorConfig: { cpu: 1024, memory: 2048 } },
  (ctx, n: number) => ({ n: n + 1, pid: process.pid }),
);

export default dag({ dagId: 'three_executors', schedule: null }, () => {
  onFargate(onLocal(onLambda()));
});
`;

const UNCONFIGURED = `import { dag, task } from 'updraft/sdk';

export default dag({ dagId: 'wants_gpu', schedule: null, defaultArgs: { executor: 'gpu' } }, () => {
  task({ taskId: 'train' }, () => 'trained')();
});
`;

let stack: LocalStack;
let output: OutputTail;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const config = UpdraftConfig.resolve({ env: { UPDRAFT__CORE__EXECUTOR: 'lambda,local,fargate' } });
  ({ stack, output, close } = await startStackWithDagFiles({ 'three-executors.ts': THREE_EXECUTORS, 'wants-gpu.ts': UNCONFIGURED }, { config }));
}, 90_000);

afterAll(async () => {
  await close?.();
}, 60_000);

describe('several executors on the local stack', () => {
  it('runs each task on the executor it names and passes values between them', async () => {
    expect(stack.executors.names).toEqual(['lambda', 'local', 'fargate']);
    const key = await triggerAndStart(stack, { dagId: 'three_executors' });
    const run = await waitForRunEnd(stack, key, { scheduleEachPoll: true, output });
    expect(run.state).toBe('success');
    expect(await taskStates(stack, key)).toEqual({ on_lambda: 'success/1', on_local: 'success/1', on_fargate: 'success/1' });
    const tis = await stack.metastore.listTaskInstances(key);
    expect(Object.fromEntries(tis.map((ti) => [ti.taskId, ti.executor]))).toEqual({
      on_lambda: 'lambda',
      on_local: 'local',
      on_fargate: 'fargate',
    });
    // Child-process executors record the process that ran the attempt.
    expect(tis.find((ti) => ti.taskId === 'on_local')?.externalExecutorId).toMatch(/^local:\d+$/);
    expect(await returnValue(stack, key, 'on_fargate')).toMatchObject({ n: 3 });
    const fargate = stack.executors.resolve('fargate');
    const fargateTi = tis.find((ti) => ti.taskId === 'on_fargate')!;
    // The environment's own log (the container entry's output), complete once the process has exited.
    const environmentLog = await waitFor('the fargate child to exit', async () => {
      const log = await fargate.getTaskLog({ ...fargateTi, tryNumber: 1 }, fargateTi.externalExecutorId);
      return log.lines.some((line) => line.includes('Container attempt ended')) ? log : null;
    });
    expect(environmentLog.lines.join('\n')).toContain('"task_id":"on_fargate"');
    // Kept next to the task log, where `updraft tasks logs` shows it after the task's own log.
    const saved = await waitFor('the environment log in the object store', () =>
      stack.objectStore.getText(executorLogKey({ ...key, taskId: 'on_fargate', mapIndex: -1, tryNumber: 1 })),
    );
    expect(saved).toContain('Container attempt ended');
  }, 90_000);

  it('refuses a DAG that names an executor that is not configured, saying how to fix it', async () => {
    const errors = await stack.metastore.listImportErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ fileloc: 'wants-gpu.ts' });
    expect(errors[0]!.message).toBe(
      'Task "train" of DAG "wants_gpu" names executor "gpu", which is not configured; configured executors are: ' +
        'lambda, local, fargate. Add it to core.executor (UPDRAFT__CORE__EXECUTOR or updraft.cfg), or change the task\'s ' +
        "(or the DAG's defaultArgs') executor.",
    );
    expect((await stack.metastore.getDag('wants_gpu'))?.isActive ?? false).toBe(false);
  });
});
