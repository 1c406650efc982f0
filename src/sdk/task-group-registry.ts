import type { MapSource } from './mapping-types.ts';
import { DagDefinitionError } from './errors.ts';
import type { DefaultArgs } from './task-options.ts';
import type { DependencyRole } from './task-ref.ts';
import type { TriggerRule } from './trigger-rules.ts';

/** What `taskGroup()` opens: the group's own (local) id and options, already validated. */
export interface TaskGroupInfo {
  groupId: string;
  prefixGroupId: boolean;
  tooltip: string | null;
  defaultArgs: DefaultArgs;
  /** The list a mapped task group (`taskGroup.expand()`) maps over; absent for a plain group. */
  expand?: MapSource;
}

/**
 * A task group of a built DAG, for display: its full id, the group holding it, and its tooltip.
 *
 * @example
 * ```ts
 * for (const group of someDag.taskGroups.values()) console.log(group.groupId, group.parentGroupId);
 * ```
 */
export interface TaskGroupDefinition {
  readonly groupId: string;
  readonly parentGroupId: string | null;
  readonly tooltip: string | null;
  readonly prefixGroupId: boolean;
  /** A mapped task group's list (`taskGroup.expand()`); absent for a plain group. */
  readonly expand?: MapSource;
}

interface GroupRecord extends TaskGroupDefinition {
  readonly defaultArgs: DefaultArgs;
}

/** The fields of a task definition that groups and setup/teardown roles decide. */
export interface TaskShapeFields {
  taskGroupId?: string;
  mappedGroupId?: string;
  isSetup?: boolean;
  isTeardown?: boolean;
  onFailureFailDagrun?: boolean;
  triggerRule?: TriggerRule;
}

/** What the registry needs of a task being built: its direct upstreams. */
interface DraftEdges {
  readonly upstreamTaskIds: ReadonlySet<string>;
}

/**
 * Task groups and setup/teardown roles of one DAG while its build function runs: which group is open,
 * the prefixes and defaultArgs it gives, which task belongs to which group, and what a group stands
 * for in a dependency (Airflow's TaskGroup.get_roots / get_leaves, teardowns looked through).
 */
export class TaskGroupRegistry {
  private readonly groups = new Map<string, GroupRecord>();
  private readonly stack: GroupRecord[] = [];
  private readonly groupOfTask = new Map<string, string>();
  private readonly setups = new Set<string>();
  private readonly teardowns = new Map<string, boolean>();

  constructor(private readonly dagId: string) {}

  /** `base` with the defaultArgs of every open group merged over it, innermost last. */
  defaultArgs(base: DefaultArgs): DefaultArgs {
    if (this.stack.length === 0) return base;
    return this.stack.reduce<DefaultArgs>((merged, group) => ({ ...merged, ...group.defaultArgs }), { ...base });
  }

  /** A task or group id inside the open group (Airflow's child_id: only the enclosing group's prefix flag counts). */
  childId(label: string): string {
    const top = this.stack.at(-1);
    return top?.prefixGroupId ? `${top.groupId}.${label}` : label;
  }

  open(info: TaskGroupInfo, isTaskId: (id: string) => boolean): string {
    const groupId = this.childId(info.groupId);
    if (this.groups.has(groupId) || isTaskId(groupId)) {
      throw new DagDefinitionError(
        `DAG "${this.dagId}": task group "${groupId}" is defined twice, or a task already has that id; give every group and task its own id.`,
      );
    }
    const mappedParent = this.openMappedGroupId();
    if (info.expand !== undefined && mappedParent !== null) {
      throw new DagDefinitionError(
        `DAG "${this.dagId}": mapped task group "${groupId}" is inside mapped task group "${mappedParent}": nested mapping is not supported. Use a plain taskGroup() inside, or map the outer group over the combined list.`,
      );
    }
    const record: GroupRecord = Object.freeze({
      groupId,
      parentGroupId: this.stack.at(-1)?.groupId ?? null,
      tooltip: info.tooltip,
      prefixGroupId: info.prefixGroupId,
      defaultArgs: info.defaultArgs,
      ...(info.expand !== undefined ? { expand: info.expand } : {}),
    });
    this.groups.set(groupId, record);
    this.stack.push(record);
    return groupId;
  }

  close(): void {
    this.stack.pop();
  }

  hasGroup(id: string): boolean {
    return this.groups.has(id);
  }

  /** Whether the group's build function is running (tasks added now land inside it, nested or not). */
  isOpen(groupId: string): boolean {
    return this.stack.some((group) => group.groupId === groupId);
  }

  /** The open mapped task group tasks added now are expanded with, or null. */
  openMappedGroupId(): string | null {
    return this.stack.find((group) => group.expand !== undefined)?.groupId ?? null;
  }

  /** The mapped task group holding the task (directly or through plain groups nested in it), if any. */
  private mappedGroupOf(taskId: string): string | undefined {
    for (let group = this.groupOfTask.get(taskId); group !== undefined; group = this.groups.get(group)?.parentGroupId ?? undefined) {
      if (this.groups.get(group)?.expand !== undefined) return group;
    }
    return undefined;
  }

  placeTask(taskId: string): void {
    const top = this.stack.at(-1);
    if (top) this.groupOfTask.set(taskId, top.groupId);
  }

  markSetup(taskId: string): void {
    if (this.teardowns.has(taskId)) {
      throw new DagDefinitionError(`DAG "${this.dagId}", task "${taskId}": a task cannot be both a setup and a teardown.`);
    }
    this.setups.add(taskId);
  }

  markTeardown(taskId: string, onFailureFailDagrun: boolean | undefined): void {
    if (this.setups.has(taskId)) {
      throw new DagDefinitionError(`DAG "${this.dagId}", task "${taskId}": a task cannot be both a setup and a teardown.`);
    }
    this.teardowns.set(taskId, onFailureFailDagrun ?? this.teardowns.get(taskId) ?? false);
  }

  isSetup(taskId: string): boolean {
    return this.setups.has(taskId);
  }

  isTeardown(taskId: string): boolean {
    return this.teardowns.has(taskId);
  }

  /** Task ids in the group or any group nested in it, in the order they were added. */
  members(groupId: string, taskIds: Iterable<string>): string[] {
    const inGroup = (taskId: string): boolean => {
      for (let group = this.groupOfTask.get(taskId); group !== undefined; group = this.groups.get(group)?.parentGroupId ?? undefined) {
        if (group === groupId) return true;
      }
      return false;
    };
    return [...taskIds].filter(inGroup);
  }

  /**
   * The tasks a group stands for: as an upstream its leaves (no downstream inside the group, a teardown
   * replaced by the work before it), as a downstream its roots (no upstream inside the group).
   */
  ends(groupId: string, role: DependencyRole, tasks: ReadonlyMap<string, DraftEdges>): string[] {
    const members = this.members(groupId, tasks.keys());
    if (members.length === 0) {
      throw new DagDefinitionError(
        `DAG "${this.dagId}": task group "${groupId}" has no tasks, so it cannot be used in a dependency. Add tasks inside its build function first.`,
      );
    }
    const inside = new Set(members);
    if (role === 'downstream') {
      return members.filter((id) => ![...tasks.get(id)!.upstreamTaskIds].some((up) => inside.has(up)));
    }
    const downstreamOf = new Map<string, string[]>(members.map((id) => [id, []]));
    for (const id of members) for (const up of tasks.get(id)!.upstreamTaskIds) downstreamOf.get(up)?.push(id);
    const hasWorkDownstream = (id: string, exclude: string) =>
      downstreamOf.get(id)!.some((down) => down !== exclude && !this.teardowns.has(down));
    const firstNonTeardown = (id: string): string[] =>
      [...tasks.get(id)!.upstreamTaskIds].flatMap((up) => {
        if (!inside.has(up)) return [];
        if (this.teardowns.has(up)) return firstNonTeardown(up);
        if (this.teardowns.has(id) && this.setups.has(up)) return [];
        return hasWorkDownstream(up, id) ? [] : [up];
      });
    const leaves = members.flatMap((id) =>
      downstreamOf.get(id)!.length > 0 ? [] : this.teardowns.has(id) ? firstNonTeardown(id) : [id],
    );
    return [...new Set(leaves)];
  }

  /** The groups defined, in definition order. */
  definitions(): TaskGroupDefinition[] {
    return [...this.groups.values()].map(({ groupId, parentGroupId, tooltip, prefixGroupId, expand }) =>
      Object.freeze({ groupId, parentGroupId, tooltip, prefixGroupId, ...(expand !== undefined ? { expand } : {}) }),
    );
  }

  /** The group and role fields of a task, only those that differ from the defaults. */
  shapeFields(taskId: string): TaskShapeFields {
    const fields: TaskShapeFields = {};
    const group = this.groupOfTask.get(taskId);
    if (group !== undefined) fields.taskGroupId = group;
    const mappedGroup = this.mappedGroupOf(taskId);
    if (mappedGroup !== undefined) fields.mappedGroupId = mappedGroup;
    if (this.setups.has(taskId)) fields.isSetup = true;
    const teardown = this.teardowns.get(taskId);
    if (teardown !== undefined) {
      fields.isTeardown = true;
      fields.onFailureFailDagrun = teardown;
      // Airflow's as_teardown() sets this rule; it is not a rule users pick themselves.
      fields.triggerRule = 'all_done_setup_success';
    }
    return fields;
  }

  /**
   * Airflow's DAG.validate_setup_teardown: the work right after a setup must use all_success (so that
   * clearing behaves), and all_done_setup_success belongs to teardowns only.
   */
  validate(tasks: ReadonlyMap<string, DraftEdges & { readonly triggerRule: TriggerRule }>): void {
    for (const [taskId, task] of tasks) {
      if (task.triggerRule === 'all_done_setup_success' && !this.teardowns.has(taskId)) {
        throw new DagDefinitionError(
          `DAG "${this.dagId}", task "${taskId}": the trigger rule all_done_setup_success is for teardown tasks only; mark the task with .asTeardown() or teardown() instead.`,
        );
      }
      if (this.teardowns.has(taskId)) continue;
      for (const up of task.upstreamTaskIds) {
        if (this.setups.has(up) && task.triggerRule !== 'all_success') {
          throw new DagDefinitionError(
            `DAG "${this.dagId}", task "${taskId}": it follows setup task "${up}", so its trigger rule must be all_success (got ${task.triggerRule}), as Airflow requires.`,
          );
        }
      }
    }
  }
}
