import nunjucks from 'nunjucks';
import type { TriggeringAssetEvent } from '../../sdk/index.ts';
import { TemplateRenderError } from './errors.ts';
import { airflowIso, dsOf, type AttemptInfo } from './attempt-info.ts';
import { RETURN_VALUE_KEY, type XComAccess } from './xcom-access.ts';

/**
 * Template fields (e.g. a bash task's `bashCommand`) are Jinja templates in Airflow; nunjucks speaks the
 * same syntax. The context uses Airflow's snake_case names so templates copied from Airflow DAGs work.
 * Undefined variables are errors, as with Airflow's StrictUndefined: a typo must not silently render as
 * an empty string inside a shell command.
 */

const environment = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: true });

export interface XComRef {
  taskId: string;
  key: string;
}

/**
 * The XComs that templates name literally (`ti.xcom_pull('extract')`, `xcom_pull(task_ids=['a', 'b'],
 * key='k')`). Rendering is synchronous, so these are fetched before it starts.
 */
export function xcomReferencesIn(value: unknown): XComRef[] {
  const refs = new Map<string, XComRef>();
  for (const text of stringsIn(value)) {
    for (const call of text.matchAll(/xcom_pull\s*\(([^()]*)\)/g)) {
      const positional: string[][] = [];
      const named = new Map<string, string[]>();
      for (const arg of (call[1] ?? '').matchAll(/(?:(\w+)\s*=\s*)?(\[[^\]]*\]|'[^']*'|"[^"]*")/g)) {
        const literals = [...(arg[2] ?? '').matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
        if (arg[1]) named.set(arg[1], literals);
        else positional.push(literals);
      }
      const taskIds = named.get('task_ids') ?? positional[0] ?? [];
      const key = (named.get('key') ?? positional[1])?.[0] ?? RETURN_VALUE_KEY;
      for (const taskId of taskIds) refs.set(`${taskId}\u0000${key}`, { taskId, key });
    }
  }
  return [...refs.values()];
}

/** Airflow's template context for one attempt. */
export function templateContext(info: AttemptInfo, xcoms: XComAccess): Record<string, unknown> {
  const logicalDate = airflowIso(info.logicalDate);
  const ts = logicalDate;
  const xcomPull = (...args: unknown[]): unknown => {
    const { taskIds, key } = xcomPullArguments(args);
    const pullOne = (taskId: string) => {
      const found = xcoms.peek(taskId, key);
      if (!found.known) {
        throw new TemplateRenderError(
          `xcom_pull("${taskId}", key="${key}") in a template needs the task id and key written as string literals, ` +
            'so the runner can fetch the value before rendering.',
        );
      }
      return found.value;
    };
    return Array.isArray(taskIds) ? taskIds.map(pullOne) : pullOne(taskIds);
  };
  const ti = {
    dag_id: info.ti.dagId,
    task_id: info.ti.taskId,
    run_id: info.ti.runId,
    map_index: info.ti.mapIndex,
    try_number: info.ti.tryNumber,
    max_tries: info.maxTries,
    xcom_pull: xcomPull,
  };
  return {
    ds: dsOf(info.logicalDate),
    ds_nodash: dsOf(info.logicalDate).replaceAll('-', ''),
    ts,
    ts_nodash: ts.slice(0, 19).replaceAll('-', '').replaceAll(':', ''),
    logical_date: logicalDate,
    data_interval_start: airflowIso(info.dataIntervalStart),
    data_interval_end: airflowIso(info.dataIntervalEnd),
    run_id: info.ti.runId,
    dag_run: {
      dag_id: info.ti.dagId,
      run_id: info.ti.runId,
      run_type: info.runType,
      logical_date: logicalDate,
      data_interval_start: airflowIso(info.dataIntervalStart),
      data_interval_end: airflowIso(info.dataIntervalEnd),
      conf: info.conf,
    },
    dag: { dag_id: info.ti.dagId },
    task: { task_id: info.ti.taskId },
    params: info.params,
    conf: info.conf,
    ti,
    task_instance: ti,
    try_number: info.ti.tryNumber,
    task_id: info.ti.taskId,
    dag_id: info.ti.dagId,
    triggering_asset_events: triggeringAssetEventsOf(info.conf),
  };
}

/**
 * An asset-triggered run's triggering events, which the scheduler puts in the run's conf under
 * `triggering_asset_events` (by asset URI); empty for other runs.
 */
export function triggeringAssetEventsOf(conf: Record<string, unknown>): Record<string, TriggeringAssetEvent[]> {
  const events = conf.triggering_asset_events;
  return events !== null && typeof events === 'object' && !Array.isArray(events) ? (events as Record<string, TriggeringAssetEvent[]>) : {};
}

/** Renders every string inside the fields (objects and arrays recursively); other values pass through. */
export function renderTemplateFields(
  fields: Record<string, unknown>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) rendered[name] = renderValue(value, context, name);
  return rendered;
}

function renderValue(value: unknown, context: Record<string, unknown>, path: string): unknown {
  if (typeof value === 'string') {
    try {
      return environment.renderString(value, context);
    } catch (error) {
      if (error instanceof TemplateRenderError) throw error;
      const reason = error instanceof Error ? error.message.replace(/^\(unknown path\)\s*/, '').trim() : String(error);
      throw new TemplateRenderError(`Could not render the template field "${path}": ${reason}`, { cause: error });
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => renderValue(item, context, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) out[key] = renderValue(member, context, `${path}.${key}`);
    return out;
  }
  return value;
}

function xcomPullArguments(args: unknown[]): { taskIds: string | string[]; key: string } {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const keywords = last && typeof last === 'object' && (last as { __keywords?: unknown }).__keywords === true ? last : null;
  const positional = keywords ? args.slice(0, -1) : args;
  const taskIds = (keywords?.task_ids ?? positional[0]) as unknown;
  const key = (keywords?.key ?? positional[1] ?? RETURN_VALUE_KEY) as unknown;
  const valid = typeof taskIds === 'string' || (Array.isArray(taskIds) && taskIds.every((id) => typeof id === 'string'));
  if (!valid || typeof key !== 'string') {
    throw new TemplateRenderError('xcom_pull in a template takes task_ids (a string or a list of strings) and an optional key string.');
  }
  return { taskIds: taskIds as string | string[], key };
}

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (value !== null && typeof value === 'object') for (const member of Object.values(value)) yield* stringsIn(member);
}
