import { InvalidTriggerError } from './invalid-trigger-error.ts';
import { BUILTIN_TRIGGER_KINDS, type TriggerEvent, type TriggerSpec } from './trigger-spec.ts';

/** What a custom trigger's `poll` receives besides its arguments. */
export interface TriggerPollContext {
  /** Aborted when the poll's time is up: pass it to fetch and other cancellable work. */
  readonly signal: AbortSignal;
  /** The deferred task instance the trigger waits for. */
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly tryNumber: number;
  /** Lines go to the triggerer's log (CloudWatch), tagged with the task instance. */
  readonly log: { info(message: string): void; warn(message: string): void };
}

/** A custom trigger: a name and one poll (see `defineTrigger`). */
export interface TriggerDefinition<Kwargs extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  /**
   * Checks once whether the awaited thing happened: an event fires the trigger (the task resumes with
   * its payload), null means "not yet" (it is polled again on the next scheduler tick), and a throw
   * fails the waiting task (retries apply), as an erroring trigger does in Airflow.
   */
  readonly poll: (kwargs: Kwargs, ctx: TriggerPollContext) => Promise<TriggerEvent | null> | TriggerEvent | null;
}

/** A defined trigger: call it with arguments to get the spec `ctx.defer` takes. */
export interface CustomTrigger<Kwargs extends Record<string, unknown> = Record<string, unknown>> {
  (kwargs: Kwargs): TriggerSpec;
  readonly definition: TriggerDefinition<Kwargs>;
}

const DAG_TRIGGERS = Symbol.for('updraft.dagTriggers');
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/**
 * The triggers this copy of the SDK registered. Every DAG bundle carries its own copy of the SDK, so this
 * holds exactly the triggers of one DAG file (and what it imports); `dag()` exposes it on the DAG object,
 * where the triggerer finds it.
 */
const registered = new Map<string, TriggerDefinition>();

/**
 * Defines a custom trigger (Airflow's BaseTrigger subclass, reshaped for a serverless triggerer): a
 * `poll` that checks once, with a time limit, whether the awaited thing happened. Call it at the top
 * level of the DAG file, so that loading the file registers it; the triggerer loads the DAG's bundle
 * and finds the trigger by its name. Triggers hold no state between polls: keep what they need in
 * their arguments (JSON).
 *
 * @example
 * ```ts
 * import { dag, defineTrigger, task } from 'updraft/sdk';
 *
 * const exportReady = defineTrigger<{ exportId: string }>({
 *   name: 'export_ready',
 *   poll: async ({ exportId }, ctx) => {
 *     const response = await fetch(`https://api.example.com/exports/${exportId}`, { signal: ctx.signal });
 *     const body = (await response.json()) as { status: string; url?: string };
 *     return body.status === 'done' ? { payload: { url: body.url } } : null;
 *   },
 * });
 *
 * const download = task({ taskId: 'download' }, (ctx) => {
 *   if (!ctx.resume) ctx.defer({ trigger: exportReady({ exportId: ctx.ds }), timeout: 6 * 3600 });
 *   return (ctx.resume?.event as { url: string }).url;
 * });
 *
 * export default dag({ dagId: 'exports', schedule: '@daily', startDate: '2025-01-01' }, () => { download(); });
 * ```
 */
export function defineTrigger<Kwargs extends Record<string, unknown> = Record<string, unknown>>(
  definition: TriggerDefinition<Kwargs>,
): CustomTrigger<Kwargs> {
  if (typeof definition !== 'object' || definition === null) throw new InvalidTriggerError('defineTrigger needs { name, poll }.');
  const { name, poll } = definition;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InvalidTriggerError(
      `defineTrigger: the name ${JSON.stringify(name)} is not valid; use a letter, then letters, digits, "_", "." or "-" (at most 100).`,
    );
  }
  if ((BUILTIN_TRIGGER_KINDS as readonly string[]).includes(name)) {
    throw new InvalidTriggerError(`defineTrigger: "${name}" is a built-in trigger kind; give the custom trigger another name.`);
  }
  if (typeof poll !== 'function') throw new InvalidTriggerError(`defineTrigger "${name}": "poll" must be a function.`);
  // A name defined twice in one file keeps the later definition, as a re-assigned variable would.
  const frozen = Object.freeze({ name, poll }) as TriggerDefinition<Kwargs>;
  registered.set(name, frozen as unknown as TriggerDefinition);
  const factory = (kwargs: Kwargs): TriggerSpec => {
    if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) {
      throw new InvalidTriggerError(`The trigger "${name}" takes an object of arguments; got ${JSON.stringify(kwargs)}.`);
    }
    return { kind: name, kwargs: { ...kwargs } };
  };
  return Object.assign(factory, { definition: frozen });
}

/**
 * The custom triggers a DAG's file registered, by name (empty for a DAG of an SDK without triggers).
 * Works on a DAG from any copy of the SDK.
 *
 * @example
 * ```ts
 * const poll = triggersOfDag(orders).get('export_ready')?.poll;
 * ```
 */
export function triggersOfDag(dag: object): ReadonlyMap<string, TriggerDefinition> {
  const triggers = (dag as { [DAG_TRIGGERS]?: unknown })[DAG_TRIGGERS];
  return triggers instanceof Map ? (triggers as ReadonlyMap<string, TriggerDefinition>) : new Map();
}

/** What `dag()` attaches to each DAG object: this SDK copy's registry (read later, so triggers defined after the DAG count). */
export function dagTriggerRegistry(): { [DAG_TRIGGERS]: ReadonlyMap<string, TriggerDefinition> } {
  return { [DAG_TRIGGERS]: registered };
}
