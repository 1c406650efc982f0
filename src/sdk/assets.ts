import { DagDefinitionError } from './errors.ts';
import { jsonProblem } from './json-check.ts';

/**
 * Assets, as Airflow 3's `Asset`, `AssetAll` and `AssetAny`: a task names the assets it updates in its
 * `outlets`; a DAG whose `schedule` is an asset condition runs when the condition is met by updates
 * since its previous asset-triggered run. Values are branded with `Symbol.for` so that DAGs made by
 * another copy of the SDK (every DAG bundle carries one) are recognised.
 */

const CONDITION_BRAND = Symbol.for('updraft.assetCondition');

/** Airflow's column limit for an asset URI (and the Execution API's). */
export const MAX_ASSET_URI_LENGTH = 1500;

/**
 * The JSON form of an asset condition inside a serialized DAG (core's `SerializedAssetCondition`).
 *
 * @example
 * ```ts
 * const json: SerializedAssetConditionJson = {
 *   kind: 'all',
 *   of: [{ kind: 'asset', uri: 's3://lake/orders/' }, { kind: 'asset', uri: 's3://lake/customers/' }],
 * };
 * ```
 */
export type SerializedAssetConditionJson =
  | { kind: 'asset'; uri: string }
  | { kind: 'all'; of: SerializedAssetConditionJson[] }
  | { kind: 'any'; of: SerializedAssetConditionJson[] };

/**
 * One asset update that started an asset-triggered run, as `ctx.triggeringAssetEvents` and the template
 * variable `triggering_asset_events` show it (Airflow's AssetEvent fields). `source_*` are null for
 * updates from outside (an S3 object, the REST API).
 *
 * @example
 * ```ts
 * const report = task({ taskId: 'report' }, async (ctx) => {
 *   for (const event of ctx.triggeringAssetEvents['s3://lake/orders/'] ?? []) ctx.log.info(`${event.uri} at ${event.timestamp}`);
 * });
 * ```
 */
export interface TriggeringAssetEvent {
  uri: string;
  extra: Record<string, unknown>;
  /** ISO-8601. */
  timestamp: string;
  source_dag_id: string | null;
  source_task_id: string | null;
  source_run_id: string | null;
  source_map_index: number | null;
}

/**
 * The asset event a running task will emit for one of its outlets; set `extra` to describe the update
 * (Airflow's `outlet_events[asset].extra`).
 *
 * @example
 * ```ts
 * ctx.outletEvents.get(orders).extra = { rows: 42 };
 * ```
 */
export interface OutletEventAccessor {
  extra: Record<string, unknown>;
}

/**
 * The task's outlet events by asset (or URI). Only the task's own outlets can be reached.
 *
 * @example
 * ```ts
 * const orders = asset('s3://lake/orders/');
 * const load = task({ taskId: 'load', outlets: [orders] }, async (ctx) => {
 *   ctx.outletEvents.get(orders).extra.rows = 42;
 * });
 * ```
 */
export interface OutletEventAccessors {
  get(asset: Asset | string): OutletEventAccessor;
}

/**
 * Something a DAG can be scheduled on: one asset, or assets combined with `and`/`or` (Airflow's `&`/`|`).
 *
 * @example
 * ```ts
 * const orders = asset('s3://lake/orders/');
 * const customers = asset('s3://lake/customers/');
 * const condition: AssetCondition = orders.and(customers).or(asset('s3://lake/full-refresh/'));
 * ```
 */
export interface AssetCondition {
  readonly [CONDITION_BRAND]: true;
  readonly kind: 'asset' | 'all' | 'any';
  /** Met when this and every other condition are met (Airflow's `a & b`). */
  and(...others: AssetCondition[]): AssetCondition;
  /** Met when this or any other condition is met (Airflow's `a | b`). */
  or(...others: AssetCondition[]): AssetCondition;
  /** Every asset URI the condition names, once each, in the order they first appear. */
  readonly uris: readonly string[];
  toJSON(): SerializedAssetConditionJson;
}

/**
 * One asset, named by its URI (`s3://bucket/prefix/`), with optional static metadata.
 *
 * @example
 * ```ts
 * const orders: Asset = asset('s3://lake/orders/', { extra: { owner: 'sales' } });
 * orders.uri; // 's3://lake/orders/'
 * ```
 */
export interface Asset extends AssetCondition {
  readonly kind: 'asset';
  readonly uri: string;
  /** Static metadata about the asset (Airflow's `Asset.extra`); not the extra of an update. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * Options of {@link asset}.
 *
 * @example
 * ```ts
 * const options: AssetOptions = { extra: { format: 'parquet' } };
 * ```
 */
export interface AssetOptions {
  /** JSON metadata about the asset. */
  extra?: Record<string, unknown>;
}

/**
 * Declares an asset by its URI, as Airflow's `Asset(uri)`. The URI is checked as Airflow checks it:
 * not empty, ASCII, no whitespace, no credentials, not the reserved `airflow` scheme, and an `s3://`
 * URI names its bucket. The scheme is lower-cased. An S3 object whose `s3://bucket/key` starts with an
 * asset's URI updates that asset when it is created (see `docs/semantics.md`, "Assets").
 *
 * @throws DagDefinitionError when the URI is invalid.
 * @example
 * ```ts
 * import { asset, dag, task } from 'updraft/sdk';
 *
 * const orders = asset('s3://lake/orders/');
 * const load = task({ taskId: 'load', outlets: [orders] }, async () => ({ rows: 42 }));
 * export const producer = dag({ dagId: 'producer' }, () => { load(); });
 * export const consumer = dag({ dagId: 'consumer', schedule: orders }, () => { report(); });
 * ```
 */
export function asset(uri: string, options: AssetOptions = {}): Asset {
  const normalized = normalizeAssetUri(uri);
  if (typeof options !== 'object' || options === null) {
    throw new DagDefinitionError(`asset("${normalized}"): options must be an object such as { extra: { ... } }.`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'extra') throw new DagDefinitionError(`asset("${normalized}"): unknown option "${key}". Known options: extra.`);
  }
  const extra = options.extra ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new DagDefinitionError(`asset("${normalized}"): extra must be an object of JSON values.`);
  }
  const problem = jsonProblem(extra, 'extra');
  if (problem) throw new DagDefinitionError(`asset("${normalized}"): ${problem}. An asset's extra is stored as JSON.`);
  const frozenExtra = Object.freeze(JSON.parse(JSON.stringify(extra)) as Record<string, unknown>);
  return Object.freeze({
    ...conditionMethods(),
    kind: 'asset' as const,
    uri: normalized,
    extra: frozenExtra,
    uris: Object.freeze([normalized]),
    toJSON: (): SerializedAssetConditionJson => ({ kind: 'asset', uri: normalized }),
  });
}

/**
 * Met when every condition is met (Airflow's `AssetAll`, `a & b`). A DAG whose schedule is a list of
 * assets is scheduled on `assetAll(...list)`.
 *
 * @example
 * ```ts
 * const schedule = assetAll(asset('s3://lake/orders/'), asset('s3://lake/customers/'));
 * ```
 */
export function assetAll(...conditions: AssetCondition[]): AssetCondition {
  return combine('all', 'assetAll', conditions);
}

/**
 * Met when any condition is met (Airflow's `AssetAny`, `a | b`).
 *
 * @example
 * ```ts
 * const schedule = assetAny(asset('s3://lake/orders/'), assetAll(asset('s3://a/x'), asset('s3://a/y')));
 * ```
 */
export function assetAny(...conditions: AssetCondition[]): AssetCondition {
  return combine('any', 'assetAny', conditions);
}

/**
 * Whether a value is an asset condition (an asset or a combination) of any copy of the SDK.
 *
 * @example
 * ```ts
 * isAssetCondition(asset('s3://lake/orders/')); // true
 * isAssetCondition('@daily'); // false
 * ```
 */
export function isAssetCondition(value: unknown): value is AssetCondition {
  return typeof value === 'object' && value !== null && (value as { [CONDITION_BRAND]?: unknown })[CONDITION_BRAND] === true;
}

/**
 * Whether a value is a single asset made by `asset()` (of any copy of the SDK).
 *
 * @example
 * ```ts
 * isAsset(asset('s3://lake/orders/')); // true
 * isAsset(assetAll(asset('s3://a/x'))); // false
 * ```
 */
export function isAsset(value: unknown): value is Asset {
  return isAssetCondition(value) && value.kind === 'asset';
}

/**
 * Checks and normalises an asset URI as Airflow does; returns it with a lower-case scheme.
 *
 * @throws DagDefinitionError naming what is wrong.
 * @example
 * ```ts
 * normalizeAssetUri('S3://lake/orders/'); // 's3://lake/orders/'
 * ```
 */
export function normalizeAssetUri(uri: unknown): string {
  const fail = (problem: string): never => {
    throw new DagDefinitionError(`Invalid asset URI ${JSON.stringify(uri)}: ${problem}.`);
  };
  if (typeof uri !== 'string') return fail('it must be a string such as "s3://bucket/prefix/"');
  if (uri.trim() === '') fail('it must not be empty');
  if (uri.length > MAX_ASSET_URI_LENGTH) fail(`it must be at most ${MAX_ASSET_URI_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(uri)) fail('it must consist of ASCII characters only (percent-encode others)');
  if (/\s/.test(uri)) fail('it must not contain whitespace (percent-encode it)');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(uri);
  // A URI without a scheme is taken as it is, as Airflow does.
  if (!match) return uri;
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!;
  if (scheme === 'airflow') fail('the "airflow" scheme is reserved');
  if (authority.includes('@')) fail('it must not contain credentials (user:password@)');
  if (scheme === 's3' && authority === '') fail('an s3:// URI must name a bucket, as in "s3://bucket/prefix/"');
  return `${scheme}://${authority}${match[3]!}`;
}

function combine(kind: 'all' | 'any', name: string, conditions: readonly unknown[]): AssetCondition {
  if (conditions.length === 0) throw new DagDefinitionError(`${name}() needs at least one asset or asset condition.`);
  conditions.forEach((condition, index) => {
    if (!isAssetCondition(condition)) {
      throw new DagDefinitionError(
        `${name}(): argument ${index + 1} is not an asset or asset condition; build them with asset('s3://bucket/prefix/').`,
      );
    }
  });
  const members = Object.freeze([...(conditions as AssetCondition[])]);
  const uris = Object.freeze([...new Set(members.flatMap((member) => member.uris))]);
  return Object.freeze({
    ...conditionMethods(),
    kind,
    of: members,
    uris,
    toJSON: (): SerializedAssetConditionJson => ({ kind, of: members.map((member) => member.toJSON()) }),
  });
}

function conditionMethods() {
  return {
    [CONDITION_BRAND]: true as const,
    and(this: AssetCondition, ...others: AssetCondition[]): AssetCondition {
      return assetAll(this, ...others);
    },
    or(this: AssetCondition, ...others: AssetCondition[]): AssetCondition {
      return assetAny(this, ...others);
    },
  };
}
