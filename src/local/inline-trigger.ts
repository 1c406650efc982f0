import type { S3Client } from '@aws-sdk/client-s3';
import { UpdraftError } from '../core/errors.ts';
import type { Connection } from '../core/model/connection.ts';
import type { TaskAttemptKey } from '../core/model/keys.ts';
import type { TriggerSpec } from '../core/model/records.ts';
import { timeTriggerMoment } from '../core/scheduling/triggers.ts';
import { triggersOfDag, type Dag } from '../sdk/index.ts';
import { pollHttp } from '../services/triggerer/http-trigger.ts';
import { pollS3Key } from '../services/triggerer/s3-key-trigger.ts';
import { pollWithTimeLimit, type TriggerOutcome } from '../services/triggerer/trigger-outcome.ts';
import type { TaskLog } from '../services/task-runner/task-log.ts';

/**
 * `tasks test` runs a deferred task's trigger in its own process, as Airflow's `dag.test()` runs
 * triggers inline: nothing is stored and no triggerer is involved. A time trigger is waited for; any other
 * trigger is polled until it fires, fails, or the wait runs out of the test's budget.
 */

/** What the inline wait needs: the DAG (for its custom triggers), the clock, and the means of I/O triggers. */
export interface InlineTriggerDeps {
  dag: Dag;
  ti: TaskAttemptKey;
  log: TaskLog;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** For `s3_key` triggers; created on first use when absent. */
  s3: () => S3Client;
  fetch: typeof fetch;
  getConnection: (connId: string) => Promise<Connection>;
  /** Pause between two polls of an I/O trigger. */
  pollIntervalMs: number;
  /** Time limit of one poll: a poll that runs out is "not yet", as in the triggerer. */
  pollTimeoutMs: number;
}

/** The trigger failed (it threw, or decided the awaited thing will never happen): the test attempt fails. */
export class InlineTriggerFailedError extends UpdraftError {
  constructor(message: string) {
    super('trigger_failed', message);
  }
}

/** The trigger cannot be evaluated without the control plane that `tasks test` does not start. */
export class InlineTriggerUnsupportedError extends UpdraftError {
  constructor(message: string) {
    super('trigger_unsupported', message);
  }
}

/** The wait did not end within the test's budget: the test stops, neither passed nor failed by the task. */
export class InlineWaitExceededError extends UpdraftError {
  constructor(message: string) {
    super('wait_exceeded', message);
  }
}

/** The deferral's own timeout passed before the trigger fired: the attempt fails, as the scheduler fails it. */
export class InlineTriggerTimeoutError extends UpdraftError {
  constructor(message: string) {
    super('trigger_timeout', message);
  }
}

/**
 * Waits for the trigger in-process and answers its event's payload. `waitUntil` is the end of the test's
 * budget (the caller's `--max-trigger-wait`); `timeoutAt` the deferral's own timeout, if it has one.
 *
 * @throws InlineWaitExceededError when the trigger would fire (or has not fired) past the budget;
 *   InlineTriggerTimeoutError when the deferral timed out; InlineTriggerFailedError when the trigger failed.
 */
export async function waitForTriggerInline(
  trigger: TriggerSpec,
  deps: InlineTriggerDeps,
  limits: { waitUntil: Date; timeoutAt: Date | null; budgetSeconds: number },
): Promise<unknown> {
  const moment = timeTriggerMoment(trigger);
  if (moment) return waitForMoment(moment, deps, limits);
  for (let poll = 1; ; poll += 1) {
    const outcome = await pollOnce(trigger, deps);
    if (outcome.kind === 'fired') {
      deps.log.info(`The "${trigger.kind}" trigger fired on poll ${poll}; resuming the task.`);
      return outcome.payload;
    }
    if (outcome.kind === 'failed') throw new InlineTriggerFailedError(`The "${trigger.kind}" trigger failed: ${outcome.error}`);
    const next = deps.now().getTime() + deps.pollIntervalMs;
    if (limits.timeoutAt && next >= limits.timeoutAt.getTime()) {
      throw new InlineTriggerTimeoutError(`The "${trigger.kind}" trigger did not fire before the deferral's timeout (${limits.timeoutAt.toISOString()}).`);
    }
    if (next > limits.waitUntil.getTime()) {
      throw new InlineWaitExceededError(
        `The "${trigger.kind}" trigger had not fired after ${poll} poll(s) (${outcome.why ?? 'not yet'}), and waiting longer would pass ` +
          `--max-trigger-wait (${limits.budgetSeconds} s). Raise --max-trigger-wait, or make what the trigger waits for happen.`,
      );
    }
    await deps.sleep(deps.pollIntervalMs);
  }
}

async function waitForMoment(moment: Date, deps: InlineTriggerDeps, limits: { waitUntil: Date; timeoutAt: Date | null; budgetSeconds: number }): Promise<unknown> {
  if (limits.timeoutAt && limits.timeoutAt.getTime() < moment.getTime()) {
    // The scheduler would fail the attempt at its timeout, before the moment: say so without waiting.
    const wait = limits.timeoutAt.getTime() - deps.now().getTime();
    if (wait > 0) await waitOrRefuse(wait, limits.timeoutAt, deps, limits);
    throw new InlineTriggerTimeoutError(`The deferral timed out at ${limits.timeoutAt.toISOString()}, before its trigger's moment ${moment.toISOString()}.`);
  }
  const wait = moment.getTime() - deps.now().getTime();
  if (wait > 0) await waitOrRefuse(wait, moment, deps, limits);
  deps.log.info(`The time trigger fired (${moment.toISOString()}); resuming the task.`);
  return moment.toISOString();
}

/** Waits `ms` when that ends within the budget; otherwise refuses at once rather than wait in vain. */
export async function waitOrRefuse(ms: number, until: Date, deps: Pick<InlineTriggerDeps, 'log' | 'sleep'>, limits: { waitUntil: Date; budgetSeconds: number }): Promise<void> {
  if (until.getTime() > limits.waitUntil.getTime()) {
    throw new InlineWaitExceededError(
      `The task would wait until ${until.toISOString()} (${Math.ceil(ms / 1000)} s from now), longer than --max-trigger-wait allows ` +
        `(${limits.budgetSeconds} s for the whole test). Rerun with --max-trigger-wait ${Math.ceil(ms / 1000) + 1} or more, or test with a shorter wait.`,
    );
  }
  deps.log.info(`Waiting ${(ms / 1000).toFixed(1)} s, until ${until.toISOString()}.`);
  await deps.sleep(ms);
}

/** One bounded poll, as the triggerer makes it: a poll past its limit is "not yet", a throw is a failure. */
async function pollOnce(trigger: TriggerSpec, deps: InlineTriggerDeps): Promise<TriggerOutcome> {
  return pollWithTimeLimit((signal) => evaluate(trigger, deps, signal), deps.pollTimeoutMs, {
    onError: (error) => {
      // Our own verdicts are not the trigger's failure: they end the test with their own message.
      if (error instanceof InlineTriggerUnsupportedError || error instanceof InlineTriggerFailedError) throw error;
      return null;
    },
  });
}

async function evaluate(trigger: TriggerSpec, deps: InlineTriggerDeps, signal: AbortSignal): Promise<TriggerOutcome> {
  const { kind, kwargs } = trigger;
  switch (kind) {
    case 's3_key':
      return pollS3Key(deps.s3(), kwargs, signal);
    case 'http': {
      const connection = typeof kwargs.connection === 'string' ? await deps.getConnection(kwargs.connection) : null;
      return pollHttp(kwargs, connection, deps.fetch, signal);
    }
    case 'external_run':
      throw new InlineTriggerUnsupportedError(
        `The task deferred on an "external_run" trigger, which reads DAG "${String(kwargs.dagId)}"'s runs from the metastore; ` +
          '`tasks test` records and reads no runs. Test the DAGs together with `updraft dags test` or on `updraft standalone`.',
      );
    default: {
      const definition = triggersOfDag(deps.dag).get(kind);
      if (!definition) {
        throw new InlineTriggerFailedError(
          `The trigger "${kind}" is neither built in nor defined in the DAG file of "${deps.dag.dagId}" ` +
            `(it defines: ${[...triggersOfDag(deps.dag).keys()].join(', ') || 'none'}). Call defineTrigger({ name, poll }) at the top level of the DAG file.`,
        );
      }
      const { ti, log } = deps;
      const event = await definition.poll(structuredClone(kwargs), {
        signal,
        dagId: ti.dagId,
        runId: ti.runId,
        taskId: ti.taskId,
        mapIndex: ti.mapIndex,
        tryNumber: ti.tryNumber,
        log: { info: (message) => log.info(`[trigger ${kind}] ${String(message)}`), warn: (message) => log.warn(`[trigger ${kind}] ${String(message)}`) },
      });
      if (event === null || event === undefined) return { kind: 'waiting', why: `custom trigger "${kind}" returned null` };
      // The event travels as JSON in a real deployment: the test resumes with the same JSON form.
      return { kind: 'fired', payload: JSON.parse(JSON.stringify((event as { payload?: unknown }).payload ?? null) ?? 'null') as unknown };
    }
  }
}
