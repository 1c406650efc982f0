import { TaskDeferred, type TaskArg, type TaskContext, type TaskDefinition } from '../../sdk/index.ts';
import { mappedArgument, mappedTemplateFields } from './mapped-arguments.ts';
import { airflowIso, dsOf, type AttemptInfo } from './attempt-info.ts';
import { runBash } from './operators/bash-operator.ts';
import { renderTemplateFields, templateContext, xcomReferencesIn } from './template-rendering.ts';
import { toJsonValue } from './json-value.ts';
import { UnsupportedOperatorError, XComValueError } from './errors.ts';
import type { TaskSecretAccess } from './secret-access.ts';
import type { TaskLog } from './task-log.ts';
import { RETURN_VALUE_KEY, type XComAccess } from './xcom-access.ts';
import { OutletEvents } from './outlet-events.ts';
import { triggeringAssetEventsOf } from './template-rendering.ts';
import { runSensor, type SensorResult, type SensorRuntime } from './sensors/run-sensor.ts';
import { runSkippingOperator } from './operators/skipping-operators.ts';
import type { Dag } from '../../sdk/index.ts';
import { untilAborted } from './until-aborted.ts';

/** How the task's own code ended (errors, signals included, are thrown). */
export type ExecutionResult =
  /** `skipDownstream`: task ids a branching operator skips; the caller sends them before the success. */
  | { kind: 'success'; returnValue: unknown; skipDownstream?: string[] }
  | { kind: 'skipped'; message: string }
  /** A sensor gives its worker back until its next poke. */
  | Extract<SensorResult, { kind: 'reschedule' }>;

export interface ExecuteOptions {
  task: TaskDefinition;
  info: AttemptInfo;
  xcoms: XComAccess;
  secrets: TaskSecretAccess;
  log: TaskLog;
  signal: AbortSignal;
  /** The task's outlet events, which the caller sends on success (default: fresh ones, unsent). */
  outletEvents?: OutletEvents;
  /** The bundle's DAG, which branch, shortCircuit and latestOnly read; and the clock latestOnly compares with. */
  dag?: Dag;
  now?: () => Date;
  /** What sensors need from the worker (clock, deadline, S3, the Execution API); default: a bare one. */
  sensorRuntime?: SensorRuntime;
}

/** Renders the task's template fields and runs it by operator. */
export async function executeTask(options: ExecuteOptions): Promise<ExecutionResult> {
  const { task, info, xcoms, secrets, log, signal } = options;
  const mapped = mappedTemplateFields(task, info);
  await xcoms.prefetch(xcomReferencesIn(mapped.toRender));
  const fields = { ...renderTemplateFields(mapped.toRender, templateContext(info, xcoms)), ...mapped.rendered };
  switch (task.operator) {
    case 'empty':
      return { kind: 'success', returnValue: undefined };
    case 'bash': {
      const result = await runBash({
        command: fields.bashCommand as string,
        env: stringRecord(fields.env),
        cwd: typeof fields.cwd === 'string' && fields.cwd !== '' ? fields.cwd : undefined,
        log,
        signal,
      });
      if (result.kind === 'skipped') return { kind: 'skipped', message: `Bash command returned exit code ${result.exitCode}. Skipping.` };
      return { kind: 'success', returnValue: result.lastLine };
    }
    case 'taskflow': {
      const args = await taskArguments(task.args, info, xcoms);
      const ctx = taskContext(info, xcoms, secrets, log, signal, options.outletEvents ?? new OutletEvents(task.taskId, task.outlets ?? []));
      const returned = await untilAborted(Promise.resolve().then(() => task.fn(ctx, ...args)), signal);
      return { kind: 'success', returnValue: returned };
    }
    case 'sensor': {
      const ctx = taskContext(info, xcoms, secrets, log, signal, options.outletEvents ?? new OutletEvents(task.taskId, task.outlets ?? []));
      const runtime = options.sensorRuntime ?? { now: () => new Date(), firstPokeDate: info.firstRescheduleDate ?? null };
      return runSensor(task, fields, ctx, runtime);
    }
    case 'branch':
    case 'short_circuit':
    case 'latest_only':
      return runSkippingOperator(task, {
        dag: options.dag,
        info,
        log,
        now: options.now ?? (() => new Date()),
        call: async (fn) => {
          const args = await taskArguments(task.args, info, xcoms);
          const ctx = taskContext(info, xcoms, secrets, log, signal, options.outletEvents ?? new OutletEvents(task.taskId, task.outlets ?? []));
          return untilAborted(Promise.resolve().then(() => fn(ctx, ...args)), signal);
        },
      });
    default:
      throw new UnsupportedOperatorError((task as { operator: string }).operator, info.ti.taskId);
  }
}

/** The context a TaskFlow function receives (the SDK's TaskContext). */
export function taskContext(
  info: AttemptInfo,
  xcoms: XComAccess,
  secrets: TaskSecretAccess,
  log: TaskLog,
  signal: AbortSignal,
  outletEvents: OutletEvents,
): TaskContext {
  const { ti } = info;
  return {
    dagId: ti.dagId,
    taskId: ti.taskId,
    runId: ti.runId,
    mapIndex: ti.mapIndex,
    tryNumber: ti.tryNumber,
    ds: dsOf(info.logicalDate),
    dsNodash: dsOf(info.logicalDate).replaceAll('-', ''),
    ts: airflowIso(info.logicalDate),
    logicalDate: new Date(info.logicalDate),
    dataIntervalStart: new Date(info.dataIntervalStart),
    dataIntervalEnd: new Date(info.dataIntervalEnd),
    params: structuredClone(info.params),
    conf: structuredClone(info.conf),
    ti: {
      dagId: ti.dagId,
      taskId: ti.taskId,
      runId: ti.runId,
      mapIndex: ti.mapIndex,
      tryNumber: ti.tryNumber,
      xcomPull: (taskId, key) => xcoms.pull(taskId, key ?? RETURN_VALUE_KEY),
      xcomPush: async (key, value) => {
        if (typeof key !== 'string' || key === '') throw new XComValueError('xcomPush needs a non-empty string key.');
        await xcoms.push(key, toJsonValue(value, `The XCom "${key}" pushed by task "${ti.taskId}"`));
      },
    },
    variables: secrets.variables,
    connections: secrets.connections,
    log: { info: (m) => log.info(String(m)), warn: (m) => log.warn(String(m)), error: (m) => log.error(String(m)) },
    signal,
    outletEvents,
    triggeringAssetEvents: structuredClone(triggeringAssetEventsOf(info.conf)),
    resume: info.resume ? structuredClone(info.resume) : null,
    defer: (options) => {
      throw new TaskDeferred(options);
    },
  };
}

/** TaskFlow arguments after the context, by kind: written in the DAG file, an upstream's XCom, or a mapped element. */
function taskArguments(args: readonly TaskArg[], info: AttemptInfo, xcoms: XComAccess): Promise<unknown[]> {
  return Promise.all(
    args.map((arg, position) => {
      if (arg.kind === 'literal') return arg.value;
      if (arg.kind === 'xcom') return argumentFromXCom(xcoms, arg);
      return mappedArgument(info, position);
    }),
  );
}

/**
 * A missing `return_value` is null (the upstream returned nothing), as Airflow resolves XComArgs; a
 * missing other key is an error, since the task would otherwise run on data that does not exist.
 */
async function argumentFromXCom(xcoms: XComAccess, arg: { taskId: string; key: string }): Promise<unknown> {
  const found = await xcoms.find(arg.taskId, arg.key);
  if (found.found) return found.value;
  if (arg.key === RETURN_VALUE_KEY) return null;
  throw new XComValueError(
    `The XCom "${arg.key}" of task "${arg.taskId}" that this task takes as an argument does not exist. ` +
      `Make sure "${arg.taskId}" pushes it before this task runs.`,
  );
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || value === undefined || typeof value !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined && member !== null) out[key] = typeof member === 'string' ? member : JSON.stringify(member);
  }
  return out;
}
