/** Brand for params across copies of the SDK. */
const PARAM = Symbol.for('updraft.param');

/**
 * The JSON types a param may declare (a subset of JSON Schema's `type`, as Airflow's `Param`).
 *
 * @example
 * ```ts
 * const kind: ParamType = 'integer';
 * ```
 */
export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * A DAG-level param after `dag()` resolved it: an optional default (absent means the trigger must give
 * a value), an optional description and an optional type.
 *
 * @example
 * ```ts
 * const spec: ParamSpec = { default: 10, type: 'integer', description: 'rows per batch' };
 * ```
 */
export interface ParamSpec {
  readonly default?: unknown;
  readonly description?: string;
  readonly type?: ParamType;
}

/**
 * A param declared with `param()`.
 *
 * @example
 * ```ts
 * const batchSize: Param = param(10, { type: 'integer' });
 * ```
 */
export interface Param extends ParamSpec {
  readonly [PARAM]: true;
}

/**
 * Options of `param()`.
 *
 * @example
 * ```ts
 * const options: ParamOptions = { type: 'string', description: 'table to load' };
 * ```
 */
export interface ParamOptions {
  description?: string;
  type?: ParamType;
}

export const PARAM_TYPES: readonly ParamType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/**
 * Declares a DAG param with a default and, optionally, a description and a type (Airflow's `Param`).
 * Pass `undefined` as the default for a param that every trigger must supply. A plain value in
 * `params` is the same as `param(value)`.
 *
 * @example
 * ```ts
 * dag(
 *   {
 *     dagId: 'load_table',
 *     params: { table: param(undefined, { type: 'string', description: 'table to load' }), batchSize: param(500, { type: 'integer' }) },
 *   },
 *   () => { ... },
 * );
 * ```
 */
export function param(defaultValue: unknown, options: ParamOptions = {}): Param {
  const spec: { -readonly [K in keyof Param]: Param[K] } = { [PARAM]: true };
  if (defaultValue !== undefined) spec.default = defaultValue;
  if (options.description !== undefined) spec.description = options.description;
  if (options.type !== undefined) spec.type = options.type;
  return Object.freeze(spec);
}

/**
 * Whether a value was made by `param()` (of any copy of the SDK).
 *
 * @example
 * ```ts
 * isParam(param(1)); // true
 * isParam(1); // false
 * ```
 */
export function isParam(value: unknown): value is Param {
  return typeof value === 'object' && value !== null && (value as { [PARAM]?: unknown })[PARAM] === true;
}

/** Whether a JSON value matches a declared param type, as JSON Schema judges it. */
export function matchesParamType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
  }
}
