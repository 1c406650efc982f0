import { DagDefinitionError } from './errors.ts';
import type { TaskDefinition } from './task-definition.ts';
import type { DefaultArgs } from './task-options.ts';
import { createTaskRef, type DependencyRole, type TaskRef, type TaskRefOwner } from './task-ref.ts';
import { TaskGroupRegistry, type TaskGroupInfo } from './task-group-registry.ts';

/** A task definition whose upstream set is still being filled while the build function runs. */
export type TaskDraft = TaskDefinition extends infer T
  ? T extends TaskDefinition
    ? Omit<T, 'upstreamTaskIds'> & { upstreamTaskIds: Set<string> }
    : never
  : never;

/**
 * Collects the tasks and dependencies of one DAG while its build function runs. Task factories find
 * it through `currentBuilder()`, the way Airflow operators find the DAG of a `with DAG(...)` block.
 */
export class DagBuilder implements TaskRefOwner {
  readonly tasks = new Map<string, TaskDraft>();
  /** Task groups, setup and teardown roles: kept beside the drafts and merged into them when built. */
  readonly shapes: TaskGroupRegistry;
  private sealed = false;

  constructor(
    readonly dagId: string,
    private readonly dagDefaultArgs: DefaultArgs,
  ) {
    this.shapes = new TaskGroupRegistry(dagId);
  }

  /** The DAG's defaultArgs, with those of the task groups being built merged over them. */
  get defaultArgs(): DefaultArgs {
    return this.shapes.defaultArgs(this.dagDefaultArgs);
  }

  groupEnds(groupId: string, role: DependencyRole): string[] {
    return this.shapes.ends(groupId, role, this.tasks);
  }

  markSetup(taskId: string): void {
    this.assertOpen();
    this.shapes.markSetup(taskId);
  }

  markTeardown(taskId: string, onFailureFailDagrun: boolean | undefined): void {
    this.assertOpen();
    this.shapes.markTeardown(taskId, onFailureFailDagrun);
  }

  /** Opens a task group for the tasks added until `closeGroup()`; answers its full id. */
  openGroup(info: TaskGroupInfo): string {
    this.assertOpen();
    return this.shapes.open(info, (id) => this.tasks.has(id));
  }

  closeGroup(): void {
    this.shapes.close();
  }

  where(taskId?: string): string {
    return taskId === undefined ? `DAG "${this.dagId}"` : `DAG "${this.dagId}", task "${taskId}"`;
  }

  /** Registers a task; later upstream edges may still be added to it. */
  addTask<T>(local: TaskDraft): TaskRef<T> {
    this.assertOpen();
    // Inside a task group the id gets the group's prefix, as Airflow's TaskGroup.child_id.
    const draft = { ...local, taskId: this.shapes.childId(local.taskId) } as TaskDraft;
    if (this.tasks.has(draft.taskId)) {
      throw new DagDefinitionError(
        `${this.where(draft.taskId)}: duplicate task id; every task of a DAG needs its own taskId.`,
      );
    }
    if (this.shapes.hasGroup(draft.taskId)) {
      throw new DagDefinitionError(
        `${this.where(draft.taskId)}: a task group already has this id; task and group ids share one namespace.`,
      );
    }
    this.tasks.set(draft.taskId, draft);
    this.shapes.placeTask(draft.taskId);
    for (const arg of draft.args) {
      if (arg.kind === 'xcom') this.addEdge(arg.taskId, draft.taskId);
    }
    // A mapped task waits for the tasks whose output it maps over: their lists decide its instances.
    for (const input of draft.expandInputs ?? []) {
      if (input.source.kind === 'xcom') this.addEdge(input.source.taskId, draft.taskId);
    }
    return createTaskRef<T>(this, draft.taskId);
  }

  addEdge(upstreamTaskId: string, downstreamTaskId: string): void {
    this.assertOpen();
    const downstream = this.tasks.get(downstreamTaskId);
    if (!downstream || !this.tasks.has(upstreamTaskId)) {
      const missing = downstream ? upstreamTaskId : downstreamTaskId;
      throw new DagDefinitionError(`${this.where()}: task "${missing}" is not part of this DAG.`);
    }
    downstream.upstreamTaskIds.add(upstreamTaskId);
  }

  /**
   * The id for another call of a TaskFlow factory: Airflow's `get_unique_task_id`, which appends
   * `__1`, `__2`, ... to the id once it is taken.
   */
  uniqueTaskflowId(taskId: string): string {
    // Uniqueness is decided on the full id, and the answer stays local: addTask adds the group prefix.
    if (!this.tasks.has(this.shapes.childId(taskId))) return taskId;
    const core = taskId.replace(/__\d+$/, '');
    const fullCore = this.shapes.childId(core);
    let highest = 0;
    for (const existing of this.tasks.keys()) {
      if (existing.startsWith(`${fullCore}__`)) {
        const suffix = existing.slice(fullCore.length + 2);
        if (/^\d+$/.test(suffix)) highest = Math.max(highest, Number(suffix));
      }
    }
    return `${core}__${highest + 1}`;
  }

  seal(): void {
    this.sealed = true;
  }

  private assertOpen(): void {
    if (this.sealed) {
      throw new DagDefinitionError(
        `${this.where()} is already built: add tasks and dependencies inside its build function, dag(options, () => { ... }).`,
      );
    }
  }
}

let current: DagBuilder | null = null;

/** The DAG whose build function is running, or null outside of one. */
export function currentBuilder(): DagBuilder | null {
  return current;
}

/** The running DAG build, or a clear error naming what was called outside of one. */
export function requireBuilder(what: string): DagBuilder {
  if (!current) {
    throw new DagDefinitionError(
      `${what} was called outside a DAG: call it inside the build function of dag(options, () => { ... }).`,
    );
  }
  return current;
}

/** Runs `build` with `builder` as the current DAG, then seals the builder. */
export function runBuild(builder: DagBuilder, build: () => void): void {
  if (current) {
    throw new DagDefinitionError(
      `DAG "${builder.dagId}" was defined inside the build function of DAG "${current.dagId}": define each dag() at the top level of the file.`,
    );
  }
  current = builder;
  try {
    const result: unknown = build();
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      // Swallow the rejection of a promise we refuse, so it does not surface as an unhandled one.
      (result as Promise<unknown>).then(undefined, () => {});
      throw new DagDefinitionError(
        `${builder.where()}: the build function returned a promise. Build functions must be synchronous; put async work inside tasks.`,
      );
    }
  } finally {
    current = null;
    builder.seal();
  }
}

