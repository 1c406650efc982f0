import type { SerializedDag, SerializedTask } from '../model/serialized-dag.ts';

/** Throws the ValidationError of the DAG being parsed, for `field` (a dotted path). */
export type FailField = (field: string, problem: string) => never;

/**
 * The graph rules of dynamic task mapping, which the schema alone cannot express: every list a task or
 * group maps over comes from an upstream task, every `mapped` argument has its one input, every task
 * of a mapped group says so (and only those), and no mapping is nested. The scheduler relies on them
 * when it expands instances, so a document breaking them is refused at parse time.
 */
export function checkMapping(dag: SerializedDag, fail: FailField): void {
  const groups = dag.taskGroups ?? {};
  /** The nearest enclosing group (the task's own group included) that is mapped. */
  const mappedAncestor = (groupId: string | undefined): string | undefined => {
    for (let group = groupId; group !== undefined; group = groups[group]?.parentGroupId) {
      if (groups[group]?.expand !== undefined) return group;
    }
    return undefined;
  };
  for (const [groupId, group] of Object.entries(groups)) {
    if (group.expand === undefined) continue;
    const outer = mappedAncestor(group.parentGroupId);
    if (outer !== undefined) {
      fail(`taskGroups.${groupId}.expand`, `mapped task group "${groupId}" is inside mapped task group "${outer}"; nested mapping is not supported`);
    }
  }
  dag.tasks.forEach((task, index) => checkTask(task, `tasks.${index}`, mappedAncestor(task.taskGroupId), fail));

  // Once every task says which mapped group it is in, each root of a group must wait for the group's list.
  for (const [groupId, group] of Object.entries(groups)) {
    const source = group.expand;
    if (source?.kind !== 'xcom') continue;
    if (!dag.tasks.some((task) => task.taskId === source.taskId)) {
      fail(`taskGroups.${groupId}.expand.taskId`, `mapped task group "${groupId}" maps over an XCom of "${source.taskId}", which is not a task of this DAG`);
    }
    const members = new Set(dag.tasks.filter((task) => task.mappedGroupId === groupId).map((task) => task.taskId));
    dag.tasks.forEach((task, index) => {
      if (!members.has(task.taskId) || task.upstreamTaskIds.some((upstream) => members.has(upstream))) return;
      if (!task.upstreamTaskIds.includes(source.taskId)) {
        fail(
          `tasks.${index}.upstreamTaskIds`,
          `task "${task.taskId}" is a root of mapped task group "${groupId}", which maps over an XCom of "${source.taskId}", but that task is not one of its upstream tasks`,
        );
      }
    });
  }
}

function checkTask(task: SerializedTask, at: string, enclosingMappedGroup: string | undefined, fail: FailField): void {
  const inputs = task.expandInputs ?? [];
  if (task.mappedGroupId !== enclosingMappedGroup) {
    fail(
      `${at}.mappedGroupId`,
      enclosingMappedGroup === undefined
        ? `task "${task.taskId}" names mapped task group "${task.mappedGroupId}", but it is not inside a task group that has "expand"`
        : `task "${task.taskId}" is inside mapped task group "${enclosingMappedGroup}", so its mappedGroupId must be "${enclosingMappedGroup}"`,
    );
  }
  if (inputs.length > 0 && task.mappedGroupId !== undefined) {
    fail(`${at}.expandInputs`, `task "${task.taskId}" is expanded inside mapped task group "${task.mappedGroupId}"; nested mapping is not supported`);
  }
  const targets = new Set<string>();
  inputs.forEach((input, position) => {
    const field = `${at}.expandInputs.${position}`;
    const { source, target } = input;
    if (source.kind === 'xcom' && !task.upstreamTaskIds.includes(source.taskId)) {
      fail(`${field}.source.taskId`, `task "${task.taskId}" maps over an XCom of "${source.taskId}", which is not one of its upstream tasks`);
    }
    const key = target.kind === 'arg' ? `arg ${target.index}` : `field ${target.name}`;
    if (targets.has(key)) fail(`${field}.target`, `task "${task.taskId}" has two mapped inputs for ${key}`);
    targets.add(key);
    if (target.kind === 'arg' && task.args[target.index]?.kind !== 'mapped') {
      fail(`${field}.target.index`, `task "${task.taskId}" maps argument ${target.index}, but args.${target.index} is not of kind "mapped"`);
    }
    if (target.kind === 'field' && Object.hasOwn(task.templateFields, target.name)) {
      fail(`${field}.target.name`, `task "${task.taskId}" maps template field "${target.name}", which templateFields also fixes; a field is either mapped or fixed`);
    }
  });
  task.args.forEach((arg, position) => {
    if (arg.kind === 'mapped') {
      const count = inputs.filter((input) => input.target.kind === 'arg' && input.target.index === position).length;
      if (count !== 1) {
        fail(`${at}.args.${position}`, `argument ${position} of task "${task.taskId}" is mapped, so exactly one expandInputs entry must target it (found ${count})`);
      }
    }
    if (arg.kind === 'map_item' && arg.groupId !== task.mappedGroupId) {
      fail(
        `${at}.args.${position}.groupId`,
        `task "${task.taskId}" uses the item of mapped task group "${arg.groupId}", but it is ${task.mappedGroupId === undefined ? 'not in a mapped task group' : `in mapped task group "${task.mappedGroupId}"`}`,
      );
    }
  });
}
