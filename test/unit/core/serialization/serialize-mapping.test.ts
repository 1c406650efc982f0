import { describe, expect, it } from 'vitest';
import { bash, dag, pythonTask, task, taskGroup, type TaskContext } from 'updraft/sdk';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import {
  canonicalJson,
  parseSerializedDag,
  serializeDag,
  serializedTaskSchema,
} from '../../../../src/core/serialization/index.ts';
import { serializedTaskGroupSchema } from '../../../../src/core/serialization/serialized-dag-schema.ts';
import { mappedDag } from './mapped-dag-fixture.ts';

const listFiles = task(function listFiles(): string[] {
  return ['a.csv', 'b.csv'];
});
const parse = task(function parse(ctx: TaskContext, file: string) {
  return file.length;
});

function serialized(): SerializedDag {
  return serializeDag(mappedDag(), 'mapped.ts');
}

function taskOf(dagJson: SerializedDag, taskId: string) {
  const found = dagJson.tasks.find((candidate) => candidate.taskId === taskId);
  if (!found) throw new Error(`no task ${taskId}`);
  return found;
}

describe('serializeDag() with dynamic task mapping', () => {
  it('serializes expandInputs, mappedGroupId, the new argument kinds and the groups’ expand', () => {
    const json = serialized();
    expect(json.taskGroups).toStrictEqual({
      per_file: { tooltip: 'One file', expand: { kind: 'xcom', taskId: 'listFiles', key: 'return_value' } },
      'per_file.save': { parentGroupId: 'per_file' },
      per_literal: { expand: { kind: 'literal', values: [{ day: 1 }, { day: 2 }] } },
    });
    expect(taskOf(json, 'parse')).toMatchObject({
      upstreamTaskIds: ['listFiles'],
      args: [{ kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'xcom', taskId: 'listFiles', key: 'return_value' } }],
    });
    expect(taskOf(json, 'add')).toMatchObject({
      upstreamTaskIds: ['parse'],
      args: [{ kind: 'literal', value: 1 }, { kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 1 }, source: { kind: 'xcom', taskId: 'parse', key: 'return_value' } }],
    });
    expect(taskOf(json, 'run')).toMatchObject({
      upstreamTaskIds: ['listFiles'],
      templateFields: { env: { TZ: 'UTC' } },
      expandInputs: [
        { target: { kind: 'field', name: 'bashCommand' }, source: { kind: 'literal', values: ['echo a', 'echo b'] } },
        { target: { kind: 'field', name: 'cwd' }, source: { kind: 'xcom', taskId: 'listFiles', key: 'return_value' } },
      ],
    });
    expect(taskOf(json, 'score').expandInputs).toStrictEqual([{ target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: [] } }]);
    expect(taskOf(json, 'per_file.parse')).toMatchObject({
      upstreamTaskIds: ['listFiles'],
      args: [{ kind: 'map_item', groupId: 'per_file' }],
      taskGroupId: 'per_file',
      mappedGroupId: 'per_file',
    });
    expect(taskOf(json, 'per_file.save.store')).toMatchObject({
      upstreamTaskIds: ['per_file.parse'],
      taskGroupId: 'per_file.save',
      mappedGroupId: 'per_file',
    });
    expect(taskOf(json, 'per_literal.noop')).toMatchObject({ upstreamTaskIds: [], mappedGroupId: 'per_literal' });
    for (const plain of ['listFiles', 'done']) {
      expect(Object.keys(taskOf(json, plain))).not.toContain('expandInputs');
      expect(Object.keys(taskOf(json, plain))).not.toContain('mappedGroupId');
    }
  });

  it('round-trips every mapping field through JSON without loss', () => {
    const json = serialized();
    const reparsed = parseSerializedDag(JSON.parse(JSON.stringify(json)));
    expect(reparsed).toStrictEqual(json);
    expect(canonicalJson(reparsed)).toBe(canonicalJson(json));
    // Every mapping field of the schema is exercised by this DAG.
    const taskKeys = new Set(json.tasks.flatMap((candidate) => Object.keys(candidate)));
    for (const key of ['expandInputs', 'mappedGroupId'] as const) {
      expect(Object.keys(serializedTaskSchema.shape)).toContain(key);
      expect(taskKeys).toContain(key);
    }
    expect(Object.keys(serializedTaskGroupSchema.shape)).toContain('expand');
    const argKinds = new Set(json.tasks.flatMap((candidate) => candidate.args.map((arg) => arg.kind)));
    expect([...argKinds].sort()).toEqual(['literal', 'map_item', 'mapped', 'xcom']);
  });

  it('adds nothing to DAGs that do not map, so their version ids stay the same', () => {
    const plain = dag({ dagId: 'plain' }, () => {
      taskGroup({ groupId: 'g', tooltip: 't' }, () => {
        const files = listFiles();
        parse(files as never);
      });
      bash({ taskId: 'b', bashCommand: 'true' });
      pythonTask({ taskId: 'p', script: 'python/p.py', args: [1] });
    });
    const text = canonicalJson(serializeDag(plain, 'plain.ts'));
    expect(text).not.toMatch(/expandInputs|mappedGroupId|"expand"|"mapped"|map_item/);
  });
});
