/**
 * The definition-time form of dynamic task mapping (Airflow's `expand()` / `partial()` and mapped task
 * groups). The serialized DAG stores exactly these shapes (core re-exports them), so the scheduler can
 * expand a task without importing user code.
 */

/**
 * Where the list a mapped input iterates over comes from: a list written in the DAG file, or an
 * upstream task's XCom (which must be a JSON array when the task ends).
 *
 * @example
 * ```ts
 * const literal: MapSource = { kind: 'literal', values: ['a.csv', 'b.csv'] };
 * const upstream: MapSource = { kind: 'xcom', taskId: 'list_files', key: 'return_value' };
 * ```
 */
export type MapSource = { kind: 'literal'; values: unknown[] } | { kind: 'xcom'; taskId: string; key: string };

/**
 * What a mapped input fills in each instance: a TaskFlow positional argument (0-based, after the
 * context) or an operator's template field (`bashCommand`, ...).
 *
 * @example
 * ```ts
 * const target: MappedInputTarget = { kind: 'arg', index: 0 };
 * ```
 */
export type MappedInputTarget = { kind: 'arg'; index: number } | { kind: 'field'; name: string };

/**
 * One input of a mapped task. A task with several has one instance per combination of their elements
 * (a cross product, as Airflow's `expand(a=..., b=...)`), the last input varying fastest.
 *
 * @example
 * ```ts
 * const input: MappedInput = { target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: [1, 2, 3] } };
 * ```
 */
export interface MappedInput {
  readonly target: MappedInputTarget;
  readonly source: MapSource;
}

/**
 * The number of instances a mapped task with inputs of these lengths has (their product; 0 when any
 * list is empty).
 *
 * @example
 * ```ts
 * mappedInstanceCount([2, 3]); // 6
 * ```
 */
export function mappedInstanceCount(lengths: readonly number[]): number {
  return lengths.reduce((product, length) => product * length, 1);
}

/**
 * The element index of each input at a map index: the inverse of the cross product, last input fastest
 * (Airflow's DictOfListsExpandInput order).
 *
 * @example
 * ```ts
 * elementIndexes([2, 3], 4); // [1, 1]
 * ```
 */
export function elementIndexes(lengths: readonly number[], mapIndex: number): number[] {
  const indexes = new Array<number>(lengths.length);
  let rest = mapIndex;
  for (let position = lengths.length - 1; position >= 0; position -= 1) {
    const length = lengths[position]!;
    indexes[position] = rest % length;
    rest = Math.floor(rest / length);
  }
  return indexes;
}
