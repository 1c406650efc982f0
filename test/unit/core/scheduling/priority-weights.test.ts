import { describe, expect, it } from 'vitest';
import type { SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import type { WeightRule } from '../../../../src/sdk/weight-rules.ts';
import {
  MAX_PRIORITY_WEIGHT,
  effectivePriorityWeight,
  effectivePriorityWeights,
} from '../../../../src/core/scheduling/priority-weights.ts';
import { dag, task } from './builders.ts';

const weighted = (id: string, upstream: string[], priorityWeight: number, weightRule?: WeightRule): SerializedTask =>
  task(id, upstream, { priorityWeight, ...(weightRule ? { weightRule } : {}) });

const weightsOf = (tasks: SerializedTask[]) => Object.fromEntries(effectivePriorityWeights(dag('w', tasks)));

/** a → b → c → d with weights 1, 2, 4, 8 under one rule. */
const chain = (rule?: WeightRule) => [
  weighted('a', [], 1, rule),
  weighted('b', ['a'], 2, rule),
  weighted('c', ['b'], 4, rule),
  weighted('d', ['c'], 8, rule),
];

/** a → (b, c) → d: d is reachable from a along two paths. */
const diamond = (rule?: WeightRule) => [
  weighted('a', [], 1, rule),
  weighted('b', ['a'], 2, rule),
  weighted('c', ['a'], 4, rule),
  weighted('d', ['b', 'c'], 8, rule),
];

/** root → three leaves. */
const fanOut = (rule?: WeightRule) => [
  weighted('root', [], 10, rule),
  weighted('x', ['root'], 1, rule),
  weighted('y', ['root'], 2, rule),
  weighted('z', ['root'], 3, rule),
];

describe('effectivePriorityWeights', () => {
  it('downstream (the default) adds every task downstream, direct or not', () => {
    expect(weightsOf(chain())).toEqual({ a: 15, b: 14, c: 12, d: 8 });
    expect(weightsOf(fanOut())).toEqual({ root: 16, x: 1, y: 2, z: 3 });
  });

  it('counts a task reachable along two paths once (diamond)', () => {
    expect(weightsOf(diamond('downstream'))).toEqual({ a: 15, b: 10, c: 12, d: 8 });
    expect(weightsOf(diamond('upstream'))).toEqual({ a: 1, b: 3, c: 5, d: 15 });
  });

  it('upstream adds every task upstream', () => {
    expect(weightsOf(chain('upstream'))).toEqual({ a: 1, b: 3, c: 7, d: 15 });
    expect(weightsOf(fanOut('upstream'))).toEqual({ root: 10, x: 11, y: 12, z: 13 });
  });

  it('absolute keeps the own weight', () => {
    expect(weightsOf(chain('absolute'))).toEqual({ a: 1, b: 2, c: 4, d: 8 });
    expect(weightsOf(diamond('absolute'))).toEqual({ a: 1, b: 2, c: 4, d: 8 });
  });

  it("applies each task's own rule and adds the others' own weights, not their totals", () => {
    const mixed = [weighted('a', [], 1, 'absolute'), weighted('b', ['a'], 2, 'upstream'), weighted('c', ['b'], 4)];
    expect(weightsOf(mixed)).toEqual({ a: 1, b: 3, c: 4 });
  });

  it('adds negative weights and clamps to the 32-bit range Airflow stores', () => {
    expect(weightsOf([weighted('a', [], 5), weighted('b', ['a'], -7)])).toEqual({ a: -2, b: -7 });
    expect(weightsOf([weighted('a', [], MAX_PRIORITY_WEIGHT), weighted('b', ['a'], 5)])).toMatchObject({ a: MAX_PRIORITY_WEIGHT });
  });

  it('ignores an upstream id the DAG does not hold, and answers 1 for an unknown task', () => {
    const d = dag('w', [weighted('a', ['ghost'], 3)]);
    expect(effectivePriorityWeight(d, 'a')).toBe(3);
    expect(effectivePriorityWeight(d, 'nope')).toBe(1);
  });
});
