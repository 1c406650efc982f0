import { attemptKeyOf } from '../../core/model/keys.ts';
import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import { TRIGGERS_PER_MESSAGE, type RunTriggersWorkload, type TriggerQueue, type TriggerToPoll } from '../../core/ports/trigger-queue.ts';
import { awaitsTriggerer } from '../../core/scheduling/triggers.ts';
import type { SchedulerDeps } from './settings.ts';
import { describe } from './transition-applier.ts';

/**
 * A trigger batch is polled within minutes of the tick that sent it; an hour leaves room for a queue
 * backlog and the triggerer's own retries, and no token outlives the deferral by much.
 */
export const TRIGGER_TOKEN_TTL_SECONDS = 3_600;

export interface DeferredOfRun {
  ti: TaskInstanceRecord;
  run: Pick<DagRunRecord, 'dagId' | 'runId' | 'versionId'>;
}

/**
 * The tick's triggerer step: every deferred attempt whose trigger needs I/O (S3, HTTP, another run, a
 * custom trigger) is sent to the triggerer once per tick, `TRIGGERS_PER_MESSAGE` to a message, with a
 * token for that attempt. Nothing is recorded: a batch that is lost, or a trigger that did not fire,
 * is simply sent again by the next tick. Time triggers never come here (planning fires them).
 */
export async function dispatchTriggers(
  deps: Pick<SchedulerDeps, 'tokens' | 'dagVersions' | 'logger' | 'clock'> & { triggerQueue: TriggerQueue },
  deferred: readonly DeferredOfRun[],
): Promise<{ sent: number; errors: number }> {
  const toPoll: TriggerToPoll[] = [];
  let errors = 0;
  for (const { ti, run } of deferred) {
    if (!awaitsTriggerer(ti) || ti.trigger === null) continue;
    try {
      const version = await deps.dagVersions.get(run.dagId, run.versionId);
      const attempt = attemptKeyOf(ti);
      toPoll.push({
        ti: attempt,
        trigger: ti.trigger,
        token: deps.tokens.issue(attempt, TRIGGER_TOKEN_TTL_SECONDS),
        versionId: run.versionId,
        bundleKey: version.bundleKey,
      });
    } catch (error) {
      errors += 1;
      deps.logger.error(`Could not prepare the trigger of a deferred task: ${describe(error)}`, { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId });
    }
  }
  if (toPoll.length === 0) return { sent: 0, errors };
  const sentAt = deps.clock.now().toISOString();
  const workloads: RunTriggersWorkload[] = [];
  for (let start = 0; start < toPoll.length; start += TRIGGERS_PER_MESSAGE) {
    workloads.push({ kind: 'RunTriggers', triggers: toPoll.slice(start, start + TRIGGERS_PER_MESSAGE), sentAt });
  }
  try {
    await deps.triggerQueue.send(workloads);
  } catch (error) {
    deps.logger.error(`Could not send the deferred tasks' triggers to the triggerer; the next tick sends them again: ${describe(error)}`, {
      triggers: toPoll.length,
    });
    return { sent: 0, errors: errors + 1 };
  }
  deps.logger.info('Sent deferred triggers to the triggerer', { triggers: toPoll.length, messages: workloads.length });
  return { sent: toPoll.length, errors };
}
