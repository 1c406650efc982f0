import { UpdraftError } from '../../../core/errors.ts';
import type { Dag, TaskDefinition } from '../../../sdk/index.ts';
import type { AttemptInfo } from '../attempt-info.ts';

/**
 * The decisions of the operators that skip downstream tasks (Airflow's SkipMixin users): branch,
 * short circuit and latest only. Pure: the DAG as the bundle defines it in, task ids to skip out; the
 * runner sends them to the Execution API before it reports success.
 */

/** A branch returned something that is not a direct downstream task or task group. Retries apply, as in Airflow. */
export class BranchTargetError extends UpdraftError {
  constructor(message: string) {
    super('invalid_branch', message);
  }
}

/** What a skipping operator decided: the ids to skip, and a line for the task log. */
export interface SkipDecision {
  skip: string[];
  message: string;
}

function downstreamIndex(dag: Dag): Map<string, string[]> {
  const downstream = new Map<string, string[]>([...dag.tasks.keys()].map((id) => [id, []]));
  for (const [taskId, task] of dag.tasks) for (const up of task.upstreamTaskIds) downstream.get(up)?.push(taskId);
  return downstream;
}

function flatDownstream(downstream: ReadonlyMap<string, readonly string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(downstream.get(start) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(downstream.get(id) ?? []));
  }
  return seen;
}

/** Tasks in a group or the groups nested in it (a bundle of an older SDK has no groups). */
function groupMembers(dag: Dag, groupId: string): string[] {
  const groups = dag.taskGroups ?? new Map();
  const inGroup = (task: TaskDefinition): boolean => {
    for (let group = task.taskGroupId; group !== undefined; group = groups.get(group)?.parentGroupId ?? undefined) {
      if (group === groupId) return true;
    }
    return false;
  };
  return [...dag.tasks.values()].filter(inGroup).map((task) => task.taskId);
}

/** A group's roots: its tasks with no upstream inside the group (Airflow's TaskGroup.roots). */
function groupRoots(dag: Dag, groupId: string): string[] {
  const members = new Set(groupMembers(dag, groupId));
  return [...members].filter((id) => ![...dag.tasks.get(id)!.upstreamTaskIds].some((up) => members.has(up)));
}

function choiceIds(taskId: string, choice: unknown): string[] {
  if (choice === null || choice === undefined) return [];
  if (typeof choice === 'string') return [choice];
  if (Array.isArray(choice) && choice.every((item) => typeof item === 'string')) return choice as string[];
  throw new BranchTargetError(
    `Branch task "${taskId}" must return a task id, a task group id, a list of them, or null; it returned ${JSON.stringify(choice) ?? String(choice)}.`,
  );
}

/**
 * Airflow's BranchMixin.do_branch + SkipMixin.skip_all_except: the chosen ids (a group id stands for
 * its roots) must be direct downstream tasks; every other direct downstream task is skipped, except
 * those the chosen tasks lead to (so `branch → join` and `branch → a → join` keeps join when a is chosen).
 */
export function branchDecision(dag: Dag, taskId: string, choice: unknown): SkipDecision {
  const downstream = downstreamIndex(dag);
  const direct = downstream.get(taskId) ?? [];
  const chosen = new Set<string>();
  for (const id of choiceIds(taskId, choice)) {
    const expanded = dag.tasks.has(id) ? [id] : dag.taskGroups?.has(id) ? groupRoots(dag, id) : null;
    if (expanded === null) {
      throw new BranchTargetError(`Branch task "${taskId}" returned "${id}", which is neither a task nor a task group of DAG "${dag.dagId}".`);
    }
    const notDirect = expanded.filter((expandedId) => !direct.includes(expandedId));
    if (notDirect.length > 0 || expanded.length === 0) {
      throw new BranchTargetError(
        `Branch task "${taskId}" returned "${id}", but ${notDirect.length > 0 ? `"${notDirect.join('", "')}" ${notDirect.length === 1 ? 'is' : 'are'}` : 'it is'} not directly downstream of it. ` +
          `Return one of its direct downstream tasks: ${direct.map((d) => `"${d}"`).join(', ') || 'none'}.`,
      );
    }
    for (const expandedId of expanded) chosen.add(expandedId);
  }
  const followed = new Set(chosen);
  for (const id of chosen) for (const reached of flatDownstream(downstream, id)) followed.add(reached);
  const skip = direct.filter((id) => !followed.has(id));
  const message =
    chosen.size === 0
      ? `Branch chose no task; skipping ${describeIds(skip)}.`
      : `Following branch ${describeIds([...chosen])}; skipping ${describeIds(skip)}.`;
  return { skip, message };
}

/** Python's truthiness, as Airflow's short circuit tests the result: empty lists and objects are false too. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * Airflow's ShortCircuitOperator: a truthy condition skips nothing; a falsy one skips every task
 * downstream (ignoreDownstreamTriggerRules) or only the direct ones, teardowns never.
 */
export function shortCircuitDecision(dag: Dag, taskId: string, condition: unknown, ignoreDownstreamTriggerRules: boolean): SkipDecision {
  if (isTruthy(condition)) return { skip: [], message: 'Condition result is truthy: proceeding with downstream tasks.' };
  const downstream = downstreamIndex(dag);
  const candidates = ignoreDownstreamTriggerRules ? [...flatDownstream(downstream, taskId)] : (downstream.get(taskId) ?? []);
  const skip = candidates.filter((id) => dag.tasks.get(id)?.isTeardown !== true);
  return {
    skip,
    message: `Condition result is falsy: skipping ${ignoreDownstreamTriggerRules ? 'all downstream tasks' : 'the direct downstream tasks'} (${describeIds(skip)}).`,
  };
}

/**
 * Airflow's LatestOnlyOperator: a manual run proceeds; a run whose timetable has no next run proceeds;
 * otherwise it proceeds only while `left < now <= right`, where right is the end of the next run's
 * data interval and left the end of the run before it in the timetable (in practice the current
 * run's data interval start).
 */
export function latestOnlyDecision(dag: Dag, taskId: string, info: Pick<AttemptInfo, 'runType' | 'logicalDate' | 'dataIntervalStart' | 'dataIntervalEnd'>, now: Date): SkipDecision {
  const direct = downstreamIndex(dag).get(taskId) ?? [];
  if (info.runType === 'manual') return { skip: [], message: 'Manually triggered DAG run: allowing execution to proceed.' };
  const current = { start: info.dataIntervalStart ?? info.logicalDate, end: info.dataIntervalEnd ?? info.logicalDate };
  const next = dag.timetable.nextDagRunInfo({
    lastAutomatedDataInterval: current,
    restriction: { earliest: current.end, latest: null, catchup: true },
    now,
  });
  if (!next) return { skip: [], message: 'Last scheduled execution: allowing execution to proceed.' };
  const previous = dag.timetable.nextDagRunInfo({
    lastAutomatedDataInterval: current,
    restriction: { earliest: null, latest: new Date(current.end.getTime() - 1), catchup: true },
    now,
  });
  const left = previous ? previous.dataInterval.end : current.start;
  const right = next.dataInterval.end;
  const window = `left window ${left.toISOString()}, right window ${right.toISOString()}, now ${now.toISOString()}`;
  if (left.getTime() < now.getTime() && now.getTime() <= right.getTime()) {
    return { skip: [], message: `Latest run (${window}): allowing execution to proceed.` };
  }
  return { skip: [...direct], message: `Not the latest run (${window}): skipping ${describeIds(direct)}.` };
}

function describeIds(ids: readonly string[]): string {
  return ids.length === 0 ? 'nothing' : ids.map((id) => `"${id}"`).join(', ');
}
