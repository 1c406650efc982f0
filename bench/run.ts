/**
 * `npm run bench`: end-to-end figures on the embedded emulators, printed as one JSON object.
 * Everything runs through the real local stack (DAG processor, scheduler, SQS, worker processes,
 * Execution API, DynamoDB), so the numbers are what a local user sees; the floors show what the
 * emulators themselves cost on this machine.
 */
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { silentLogger } from '../src/core/ports/logger.ts';
import type { DagRunKey } from '../src/core/model/keys.ts';
import { FINISHED_DAG_RUN_STATES } from '../src/core/model/states.ts';
import { LocalStack } from '../src/local/local-stack.ts';
import { triggerDagRun } from '../src/services/scheduler/index.ts';
import { measureFloors } from './floors.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function runToEnd(stack: LocalStack, dagId: string, timeoutMs: number): Promise<{ key: DagRunKey; seconds: number }> {
  const started = performance.now();
  const run = await triggerDagRun(stack.schedulerDeps, { dagId });
  const key = { dagId, runId: run.runId };
  await stack.metastore.updateDagRun(key, { state: 'running', startDate: new Date() }, { state: 'queued' });
  await stack.runScheduler.scheduleRun(key);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await stack.metastore.getDagRun(key);
    if (current && FINISHED_DAG_RUN_STATES.has(current.state)) {
      if (current.state !== 'success') throw new Error(`Benchmark run ${dagId} ended ${current.state}.`);
      return { key, seconds: (performance.now() - started) / 1000 };
    }
    if (Date.now() > deadline) throw new Error(`Benchmark run ${dagId} did not finish within ${timeoutMs / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A 10,000-wide map over an upstream's list: the seconds from the list task's end to the first mapped
 * instance queued, i.e. the pass that creates the instances (and the next that queues them); then the
 * run is ended.
 */
async function measureExpansion(stack: LocalStack, dagId: string): Promise<{ passSeconds: number }> {
  const run = await triggerDagRun(stack.schedulerDeps, { dagId });
  const key = { dagId, runId: run.runId };
  await stack.metastore.updateDagRun(key, { state: 'running', startDate: new Date() }, { state: 'queued' });
  await stack.runScheduler.scheduleRun(key);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const first = await stack.metastore.getTaskInstance({ ...key, taskId: 'load', mapIndex: 0 });
    if (first?.queuedAt) {
      const list = await stack.metastore.getTaskInstance({ ...key, taskId: 'list', mapIndex: -1 });
      await stack.metastore.updateDagRun(key, { state: 'failed', endDate: new Date() }, { state: 'running' });
      return { passSeconds: (first.queuedAt.getTime() - list!.endDate!.getTime()) / 1000 };
    }
    if (Date.now() > deadline) throw new Error('The 10,000-wide map of the benchmark was not expanded within 120 s.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const stack = await LocalStack.start({
  home: null,
  dagsFolder: fileURLToPath(new URL('./dags', import.meta.url)),
  workers: 2,
  executionApiPort: 0,
  logger: silentLogger,
  workerOutput: quiet,
});
try {
  await stack.dagSync.syncAll();
  // The tick is the safety net for lost work; the figures measure the fast path, as production sees it.
  stack.startTicking(1000);
  // One warm-up run so the workers have loaded the bundle, as warm Lambda containers would have.
  await runToEnd(stack, 'bench_chain40', 120_000);

  const chain = await runToEnd(stack, 'bench_chain40', 120_000);
  const tis = (await stack.metastore.listTaskInstances(chain.key)).sort((a, b) => a.startDate!.getTime() - b.startDate!.getTime());
  const gaps: number[] = [];
  for (let index = 1; index < tis.length; index += 1) {
    gaps.push(tis[index]!.startDate!.getTime() - tis[index - 1]!.endDate!.getTime());
  }

  const fanout = await runToEnd(stack, 'bench_fanout500', 300_000);
  const mapped = await runToEnd(stack, 'bench_map1000', 300_000);
  const expansion = await measureExpansion(stack, 'bench_map10k');
  const floors = await measureFloors(stack.emulators.endpoints);

  process.stdout.write(
    `${JSON.stringify({
      chain40_seconds: round(chain.seconds, 3),
      task_latency_p50_ms: round(percentile(gaps, 50), 1),
      task_latency_p95_ms: round(percentile(gaps, 95), 1),
      fanout_tasks_per_second: round(500 / fanout.seconds, 1),
      map1000_tasks_per_second: round(1001 / mapped.seconds, 1),
      map10k_list_to_first_queued_seconds: round(expansion.passSeconds, 3),
      floor_ddb_update_ms: round(floors.ddbUpdateMedianMs, 2),
      floor_sqs_roundtrip_ms: round(floors.sqsRoundTripMedianMs, 2),
    })}\n`,
  );
} finally {
  await stack.stop();
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
