import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import type { SerializedDag, SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import { parseSerializedDag, serializeDag } from '../../../../src/core/serialization/index.ts';
import { mappedDag } from './mapped-dag-fixture.ts';

/** A fresh, mutable copy of the serialized mapped DAG, as a reader would get it from storage. */
function valid(): SerializedDag {
  return JSON.parse(JSON.stringify(serializeDag(mappedDag(), 'mapped.ts'))) as SerializedDag;
}

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

function taskAt(json: SerializedDag, taskId: string): { task: Mutable<SerializedTask>; index: number } {
  const index = json.tasks.findIndex((candidate) => candidate.taskId === taskId);
  if (index < 0) throw new Error(`no task ${taskId}`);
  return { task: json.tasks[index] as Mutable<SerializedTask>, index };
}

function validationError(json: unknown): ValidationError {
  try {
    parseSerializedDag(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but the document was accepted');
}

/** Breaks the document with `corrupt`, which answers the field it expects named; checks field and message. */
function expectRefused(corrupt: (json: SerializedDag) => string, problem: string): void {
  const json = valid();
  const field = corrupt(json);
  const error = validationError(json);
  expect(error.field).toBe(field);
  expect(error.message).toBe(`Invalid serialized DAG "mapped": ${field}: ${problem}.`);
}

describe('parseSerializedDag() with dynamic task mapping', () => {
  it('accepts what serializeDag produced', () => {
    const json = valid();
    expect(parseSerializedDag(json)).toEqual(json);
  });

  it('refuses a task that maps over an XCom of a task that is not upstream', () => {
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'parse');
      task.upstreamTaskIds = [];
      return `tasks.${index}.expandInputs.0.source.taskId`;
    }, 'task "parse" maps over an XCom of "listFiles", which is not one of its upstream tasks');
  });

  it('refuses a mapped argument without its expandInputs entry, and an entry for an argument that is not mapped', () => {
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'add');
      task.args.push({ kind: 'mapped' });
      return `tasks.${index}.args.2`;
    }, 'argument 2 of task "add" is mapped, so exactly one expandInputs entry must target it (found 0)');
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'add');
      task.expandInputs![0]!.target = { kind: 'arg', index: 0 };
      return `tasks.${index}.expandInputs.0.target.index`;
    }, 'task "add" maps argument 0, but args.0 is not of kind "mapped"');
  });

  it('refuses two inputs for one target, and a template field both mapped and fixed', () => {
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'run');
      task.expandInputs!.push(task.expandInputs![0]!);
      return `tasks.${index}.expandInputs.2.target`;
    }, 'task "run" has two mapped inputs for field bashCommand');
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'run');
      task.templateFields.bashCommand = 'echo fixed';
      return `tasks.${index}.expandInputs.0.target.name`;
    }, 'task "run" maps template field "bashCommand", which templateFields also fixes; a field is either mapped or fixed');
  });

  it('refuses a map_item argument of another group than the task’s', () => {
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'per_file.parse');
      task.args[0] = { kind: 'map_item', groupId: 'per_literal' };
      return `tasks.${index}.args.0.groupId`;
    }, 'task "per_file.parse" uses the item of mapped task group "per_literal", but it is in mapped task group "per_file"');
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'listFiles');
      task.args = [{ kind: 'map_item', groupId: 'per_file' }];
      return `tasks.${index}.args.0.groupId`;
    }, 'task "listFiles" uses the item of mapped task group "per_file", but it is not in a mapped task group');
  });

  it('refuses a mappedGroupId that names no mapped group holding the task, and a task of a mapped group without it', () => {
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'done');
      task.mappedGroupId = 'per_file.save';
      return `tasks.${index}.mappedGroupId`;
    }, 'task "done" names mapped task group "per_file.save", but it is not inside a task group that has "expand"');
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'per_literal.noop');
      delete task.mappedGroupId;
      return `tasks.${index}.mappedGroupId`;
    }, 'task "per_literal.noop" is inside mapped task group "per_literal", so its mappedGroupId must be "per_literal"');
  });

  it('refuses a group root that does not wait for the task the group maps over, and a source task that does not exist', () => {
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'per_file.parse');
      task.upstreamTaskIds = [];
      return `tasks.${index}.upstreamTaskIds`;
    }, 'task "per_file.parse" is a root of mapped task group "per_file", which maps over an XCom of "listFiles", but that task is not one of its upstream tasks');
    expectRefused((json) => {
      json.taskGroups!.per_file!.expand = { kind: 'xcom', taskId: 'ghost', key: 'return_value' };
      return 'taskGroups.per_file.expand.taskId';
    }, 'mapped task group "per_file" maps over an XCom of "ghost", which is not a task of this DAG');
  });

  it('refuses nested mapping: a mapped group inside a mapped group, an expanded task inside a mapped group', () => {
    expectRefused((json) => {
      json.taskGroups!['per_file.save']!.expand = { kind: 'literal', values: [1] };
      return 'taskGroups.per_file.save.expand';
    }, 'mapped task group "per_file.save" is inside mapped task group "per_file"; nested mapping is not supported');
    expectRefused((json) => {
      const { task, index } = taskAt(json, 'per_literal.noop');
      task.args = [{ kind: 'mapped' }];
      task.expandInputs = [{ target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: [1] } }];
      return `tasks.${index}.expandInputs`;
    }, 'task "per_literal.noop" is expanded inside mapped task group "per_literal"; nested mapping is not supported');
  });

  it.each([
    ['an empty expandInputs', (task: Mutable<SerializedTask>) => void (task.expandInputs = []), 'expandInputs'],
    ['a negative argument index', (task: Mutable<SerializedTask>) => void (task.expandInputs![0]!.target = { kind: 'arg', index: -1 }), 'expandInputs.0.target.index'],
    ['an unknown source kind', (task: Mutable<SerializedTask>) => void (task.expandInputs![0]!.source = { kind: 'range' } as never), 'expandInputs.0.source.kind'],
    ['a literal list that is not a list', (task: Mutable<SerializedTask>) => void (task.expandInputs![0]!.source = { kind: 'literal', values: 'ab' } as never), 'expandInputs.0.source.values'],
    ['a map_item without group', (task: Mutable<SerializedTask>) => void (task.args[1] = { kind: 'map_item' } as never), 'args.1.groupId'],
  ])('refuses %s by the schema, naming the field', (_name, corrupt, field) => {
    const json = valid();
    const { task, index } = taskAt(json, 'add');
    corrupt(task);
    const error = validationError(json);
    expect(error.field).toBe(`tasks.${index}.${field}`);
    expect(error.message).toMatch(/^Invalid serialized DAG: tasks\.\d+\./);
  });
});
