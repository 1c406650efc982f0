import type { TaskInstanceRecord } from '../model/records.ts';
import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';
import type { TaskInstanceState } from '../model/states.ts';
import { isMappedTask, sameMappedGroup, taskMap } from './mapping.ts';
import { evaluateTriggerRule, summarizeUpstreamCounts, type StateCounts, type TriggerRuleOutcome } from './trigger-rules.ts';

interface TaskSlot {
  /** Map index -1: the only instance of an unmapped task, the placeholder of a mapped one. */
  placeholder?: TaskInstanceRecord;
  /** Map index >= 0, by map index. */
  mapped: Map<number, TaskInstanceRecord>;
}

const NOT_STARTED: StateCounts = new Map([['none', 1]]);

/**
 * A run's task instances indexed for scheduling, mapped instances included, with the trigger-rule view
 * Airflow takes of them: a downstream task sees every instance of a mapped upstream (a 10,000-wide map
 * is summarized once per pass, not once per downstream instance), except that tasks of one mapped task
 * group see each other index by index.
 */
export class RunInstances {
  private readonly byTask = new Map<string, TaskSlot>();
  private readonly countsCache = new Map<string, StateCounts>();
  private readonly tasks: ReadonlyMap<string, SerializedTask>;
  private readonly setups: ReadonlySet<string>;

  constructor(
    private readonly dag: SerializedDag,
    tis: Iterable<TaskInstanceRecord>,
  ) {
    this.tasks = taskMap(dag);
    this.setups = new Set(dag.tasks.filter((task) => task.isSetup === true).map((task) => task.taskId));
    for (const ti of tis) this.set(ti);
  }

  set(ti: TaskInstanceRecord): void {
    let slot = this.byTask.get(ti.taskId);
    if (!slot) {
      slot = { mapped: new Map() };
      this.byTask.set(ti.taskId, slot);
    }
    if (ti.mapIndex < 0) slot.placeholder = ti;
    else slot.mapped.set(ti.mapIndex, ti);
    this.countsCache.delete(ti.taskId);
  }

  delete(ti: Pick<TaskInstanceRecord, 'taskId' | 'mapIndex'>): void {
    const slot = this.byTask.get(ti.taskId);
    if (!slot) return;
    if (ti.mapIndex < 0) delete slot.placeholder;
    else slot.mapped.delete(ti.mapIndex);
    this.countsCache.delete(ti.taskId);
  }

  get(taskId: string, mapIndex = -1): TaskInstanceRecord | undefined {
    const slot = this.byTask.get(taskId);
    return mapIndex < 0 ? slot?.placeholder : slot?.mapped.get(mapIndex);
  }

  /** The task's instances: the -1 instance first, then mapped ones by map index. */
  instancesOf(taskId: string): TaskInstanceRecord[] {
    const slot = this.byTask.get(taskId);
    if (!slot) return [];
    const mapped = [...slot.mapped.values()].sort((a, b) => a.mapIndex - b.mapIndex);
    return slot.placeholder ? [slot.placeholder, ...mapped] : mapped;
  }

  all(): TaskInstanceRecord[] {
    return [...this.byTask.keys()].flatMap((taskId) => this.instancesOf(taskId));
  }

  /** Whether a mapped task has been expanded: its placeholder gave way to instances 0..n-1. */
  isExpanded(taskId: string): boolean {
    const task = this.tasks.get(taskId);
    return task !== undefined && isMappedTask(task) && this.byTask.get(taskId)?.placeholder?.state === 'removed';
  }

  /**
   * The instances that stand for a task downstream: an expanded mapped task's instances (those not
   * removed by a later, shorter expansion); otherwise its -1 instance.
   */
  effective(taskId: string): TaskInstanceRecord[] {
    const slot = this.byTask.get(taskId);
    if (!slot) return [];
    if (!this.isExpanded(taskId)) return slot.placeholder ? [slot.placeholder] : [];
    return [...slot.mapped.values()].filter((ti) => ti.state !== 'removed');
  }

  /**
   * The instances whose own trigger rule decides whether they run: an unmapped task's one instance, an
   * expanded mapped task's instances (a mapped task's placeholder is expanded, never run).
   */
  ruleInstances(task: SerializedTask): TaskInstanceRecord[] {
    if (!isMappedTask(task)) return this.instancesOf(task.taskId).filter((ti) => ti.mapIndex < 0);
    return this.isExpanded(task.taskId) ? this.instancesOf(task.taskId).filter((ti) => ti.mapIndex >= 0) : [];
  }

  /**
   * Evaluates the trigger rule of one instance of `task`. An upstream without an instance counts as
   * not finished: it cannot have run, so nothing downstream may be decided from it.
   */
  evaluate(task: SerializedTask, ti: Pick<TaskInstanceRecord, 'mapIndex'>): TriggerRuleOutcome {
    const counts = new Map<TaskInstanceState, number>();
    const setupCounts = new Map<TaskInstanceState, number>();
    for (const upstreamId of task.upstreamTaskIds) {
      const seen = this.upstreamCounts(task, upstreamId, ti.mapIndex);
      addCounts(counts, seen);
      if (this.setups.has(upstreamId)) addCounts(setupCounts, seen);
    }
    return evaluateTriggerRule(task.triggerRule, summarizeUpstreamCounts(counts, setupCounts), { mapIndex: ti.mapIndex });
  }

  /** The states one upstream task contributes to an instance's trigger rule. */
  private upstreamCounts(task: SerializedTask, upstreamId: string, mapIndex: number): StateCounts {
    if (mapIndex >= 0 && sameMappedGroup(task, this.tasks.get(upstreamId)) && this.isExpanded(upstreamId)) {
      const state = this.get(upstreamId, mapIndex)?.state ?? 'none';
      return new Map([[state, 1]]);
    }
    let counts = this.countsCache.get(upstreamId);
    if (!counts) {
      const effective = this.effective(upstreamId);
      counts = effective.length === 0 ? NOT_STARTED : countOf(effective);
      this.countsCache.set(upstreamId, counts);
    }
    return counts;
  }
}

function countOf(tis: readonly TaskInstanceRecord[]): StateCounts {
  const counts = new Map<TaskInstanceState, number>();
  for (const ti of tis) counts.set(ti.state, (counts.get(ti.state) ?? 0) + 1);
  return counts;
}

function addCounts(into: Map<TaskInstanceState, number>, from: StateCounts): void {
  for (const [state, n] of from) into.set(state, (into.get(state) ?? 0) + n);
}
