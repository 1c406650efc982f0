import { UpdraftError } from '../../core/errors.ts';
import { formatTaskInstanceKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import type { SerializedDag, SerializedMapSource, SerializedTask } from '../../core/model/serialized-dag.ts';
import { elementIndexes } from '../../sdk/mapping-types.ts';
import type { StartXComReads } from './start-xcom-reads.ts';

/**
 * What one instance of a mapped task runs on (dynamic task mapping): the value of each `mapped` and
 * `map_item` TaskFlow argument by position ("0", "1", ...), and of each mapped template field by name.
 * The scheduler decided how many instances there are; this finds the elements of instance `mapIndex`.
 */
export interface MappedInputs {
  args: Record<string, unknown>;
  fields: Record<string, unknown>;
}

/**
 * A mapped instance's inputs cannot be found: a list it maps over is gone or is no longer a list (an
 * upstream ran again after the expansion, or its XComs were deleted). The attempt fails with this.
 */
export class MappedInputError extends UpdraftError {
  constructor(message: string) {
    super('mapped_input', message);
  }
}

/** A task expanded by itself or with a mapped task group: its instances have map indexes 0..n-1. */
export function isMappedTask(task: Pick<SerializedTask, 'expandInputs' | 'mappedGroupId'>): boolean {
  return (task.expandInputs?.length ?? 0) > 0 || task.mappedGroupId !== undefined;
}

type DagShape = Pick<SerializedDag, 'tasks' | 'taskGroups'>;

/** The inputs of a mapped instance; undefined for an unmapped task or a mapped task's placeholder (-1). */
export async function resolveMappedInputs(
  ti: TaskInstanceKey,
  task: SerializedTask,
  dag: DagShape,
  reads: StartXComReads,
): Promise<MappedInputs | undefined> {
  if (ti.mapIndex < 0 || !isMappedTask(task)) return undefined;
  const where = formatTaskInstanceKey(ti);
  const args: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  const inputs = task.expandInputs ?? [];
  if (inputs.length > 0) {
    const views = inputs.map((input) => listView(input.source, dag, reads, where));
    // The first input's length never bounds its element index (it varies slowest), so it is not read:
    // reading a mapped upstream's instance count lists the whole run.
    const lengths = await Promise.all(views.map((view, position) => (position === 0 ? Infinity : view.length())));
    const empty = lengths.findIndex((length) => length === 0);
    if (empty >= 0) {
      throw new MappedInputError(
        `${where} maps over a list that is empty now (expand input ${empty}). It changed after the task was expanded; ` +
          'clear the mapped task so it is expanded again.',
      );
    }
    const indexes = elementIndexes(lengths, ti.mapIndex);
    const values = await Promise.all(views.map((view, position) => view.at(indexes[position]!)));
    inputs.forEach((input, position) => {
      if (input.target.kind === 'arg') args[String(input.target.index)] = values[position];
      else fields[input.target.name] = values[position];
    });
  }
  await Promise.all(
    task.args.map(async (arg, position) => {
      if (arg.kind === 'map_item') {
        const source = dag.taskGroups?.[arg.groupId]?.expand;
        if (!source) {
          throw new MappedInputError(
            `${where} takes the item of task group "${arg.groupId}", but that group is not mapped in this DAG version. ` +
              'Fix the DAG file (expand the group) and trigger a new run.',
          );
        }
        args[String(position)] = await listView(source, dag, reads, where).at(ti.mapIndex);
      } else if (arg.kind === 'mapped' && !Object.hasOwn(args, String(position))) {
        throw new MappedInputError(
          `${where} has a mapped argument at position ${position} that none of its expand inputs fills. ` +
            'Fix the DAG file (each mapped argument needs an .expand() input) and trigger a new run.',
        );
      }
    }),
  );
  return { args, fields };
}

interface ListView {
  length(): Promise<number>;
  at(index: number): Promise<unknown>;
}

/** A map source as a list: its length (for the cross product) and its element at an index. */
function listView(source: SerializedMapSource, dag: DagShape, reads: StartXComReads, where: string): ListView {
  if (source.kind === 'literal') {
    return {
      length: async () => source.values.length,
      at: async (index) => elementOf(source.values, index, where, 'its literal list'),
    };
  }
  const producer = dag.tasks.find((candidate) => candidate.taskId === source.taskId);
  if (!producer) {
    throw new MappedInputError(
      `${where} maps over task "${source.taskId}", which is not in this DAG version. Fix the DAG file and trigger a new run.`,
    );
  }
  const what = `the XCom "${source.key}" of task "${source.taskId}"`;
  if (isMappedTask(producer)) {
    // Over a mapped upstream: one instance per upstream instance, null where it pushed nothing.
    return {
      length: () => reads.instanceCount(source.taskId),
      at: async (index) => (await reads.value(source.taskId, index, source.key)) ?? null,
    };
  }
  const list = async (): Promise<unknown[]> => {
    const value = await reads.value(source.taskId, -1, source.key);
    if (value === undefined) {
      throw new MappedInputError(
        `${where} maps over ${what}, which does not exist (any more). Clear "${source.taskId}" so it pushes its list again.`,
      );
    }
    if (!Array.isArray(value)) {
      throw new MappedInputError(
        `${where} maps over ${what}, which is ${describeJson(value)}, not a list. ` +
          `Make "${source.taskId}" return (or push) an array, then clear it.`,
      );
    }
    return value;
  };
  return {
    length: async () => (await list()).length,
    at: async (index) => elementOf(await list(), index, where, what),
  };
}

function elementOf(values: readonly unknown[], index: number, where: string, what: string): unknown {
  if (!(index < values.length)) {
    throw new MappedInputError(
      `${where} needs element ${index} of ${what}, which has only ${values.length}. The list changed after the task ` +
        'was expanded; clear the mapped task so it is expanded again.',
    );
  }
  return values[index];
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}
