import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedMapSource, SerializedTask } from '../model/serialized-dag.ts';
import { FINISHED_TASK_STATES } from '../model/states.ts';
import type { TaskInstanceCondition, TaskInstanceChanges } from '../ports/metastore.ts';
import { isMappedTask, mapSourceKey, mapSourcesOf, taskMap, type MapLengthFact } from './mapping.ts';
import type { RunInstances } from './run-instances.ts';

/**
 * The most instances one mapped task may have (Airflow's `max_map_length` is 1,024 by default): each is
 * an item in the run's partition, and every pass over the run lists them all.
 */
export const MAX_MAPPED_INSTANCES = 100_000;

/** What planning decides for the placeholder (map index -1) of a mapped task that is still in `none`. */
export type PlaceholderDecision =
  | { kind: 'wait' }
  /** Create instances 0..count-1; the placeholder becomes removed (skipped when count is 0). */
  | { kind: 'expand'; count: number; reason: string }
  /** The list can never be known: the source upstream ended without succeeding. */
  | { kind: 'skip' | 'upstream_failed'; reason: string }
  /** The source pushed something that is not a list. */
  | { kind: 'fail'; reason: string };

/**
 * Airflow expands a mapped task as soon as the lengths of the lists it maps over are known (a literal
 * at once; an upstream's XCom when that upstream has succeeded; a mapped upstream's output once all of
 * its instances are done), before its trigger rule is looked at: each instance then evaluates its own.
 */
export function decidePlaceholder(
  dag: SerializedDag,
  task: SerializedTask,
  instances: RunInstances,
  lengthFacts: ReadonlyMap<string, MapLengthFact>,
): PlaceholderDecision {
  const lengths: number[] = [];
  for (const source of mapSourcesOf(dag, task)) {
    const known = sourceLength(dag, source, instances, lengthFacts);
    if (known.kind !== 'length') return known;
    lengths.push(known.length);
  }
  if (lengths.length === 0) {
    return { kind: 'fail', reason: `task "${task.taskId}" is mapped but its serialized DAG names no list to map over; re-parse the DAG file` };
  }
  const count = lengths.reduce((product, length) => product * length, 1);
  if (count > MAX_MAPPED_INSTANCES) {
    return {
      kind: 'fail',
      reason: `task "${task.taskId}" would have ${count} mapped instances, more than the ${MAX_MAPPED_INSTANCES} one task may have; map over fewer, larger batches`,
    };
  }
  const over = lengths.length === 1 ? `a list of ${lengths[0]}` : `lists of ${lengths.join(' × ')}`;
  return { kind: 'expand', count, reason: `mapped over ${over}` };
}

function sourceLength(
  dag: SerializedDag,
  source: SerializedMapSource,
  instances: RunInstances,
  lengthFacts: ReadonlyMap<string, MapLengthFact>,
): { kind: 'length'; length: number } | Exclude<PlaceholderDecision, { kind: 'expand' }> {
  if (source.kind === 'literal') return { kind: 'length', length: source.values.length };
  const upstream = taskMap(dag).get(source.taskId);
  if (upstream && isMappedTask(upstream)) {
    // One instance per instance of the mapped upstream, once all of them are done.
    const placeholder = instances.get(source.taskId);
    if (!placeholder || !FINISHED_TASK_STATES.has(placeholder.state)) return { kind: 'wait' };
    if (!instances.isExpanded(source.taskId)) {
      return placeholder.state === 'skipped'
        ? { kind: 'length', length: 0 }
        : { kind: 'upstream_failed', reason: `mapped upstream "${source.taskId}" ended ${placeholder.state} before it was expanded` };
    }
    const effective = instances.effective(source.taskId);
    if (effective.some((ti) => !FINISHED_TASK_STATES.has(ti.state))) return { kind: 'wait' };
    return { kind: 'length', length: effective.length };
  }
  const ti = instances.get(source.taskId);
  if (!ti || !FINISHED_TASK_STATES.has(ti.state)) return { kind: 'wait' };
  if (ti.state === 'skipped') return { kind: 'skip', reason: `upstream "${source.taskId}", whose XCom it maps over, was skipped` };
  if (ti.state !== 'success') {
    return { kind: 'upstream_failed', reason: `upstream "${source.taskId}", whose XCom it maps over, ended ${ti.state}` };
  }
  const fact = lengthFacts.get(mapSourceKey(source));
  if (!fact) return { kind: 'wait' };
  if (fact.kind === 'invalid') return { kind: 'fail', reason: fact.reason };
  return { kind: 'length', length: fact.length };
}

/** The write that records a placeholder's decision (the expansion's new instances are the caller's). */
export function placeholderChanges(decision: Exclude<PlaceholderDecision, { kind: 'wait' }>, ti: TaskInstanceRecord, now: Date): {
  changes: TaskInstanceChanges;
  condition: TaskInstanceCondition;
} {
  const condition: TaskInstanceCondition = { state: ti.state, tryNumber: ti.tryNumber };
  const ended = { startDate: ti.startDate ?? now, endDate: now };
  switch (decision.kind) {
    case 'expand':
      return { changes: decision.count === 0 ? { state: 'skipped', ...ended } : { state: 'removed', endDate: now }, condition };
    case 'skip':
      return { changes: { state: 'skipped', ...ended }, condition };
    case 'upstream_failed':
      return { changes: { state: 'upstream_failed', ...ended }, condition };
    case 'fail':
      return { changes: { state: 'failed', ...ended }, condition };
  }
}
