import type { DagRunKey, TaskInstanceKey } from '../../core/model/keys.ts';

/**
 * The single table's key layout (docs/data-model.md explains each choice). Keys only address items:
 * every record field is also stored as its own attribute, so keys are never parsed back. `#` separates
 * key parts; Airflow's id rules (dag, task and run ids) do not allow it inside an id.
 */

export const INDEX = {
  /** Sparse GSI for cross-partition lists: all DAGs, active runs, import errors, scheduler heartbeats. */
  lists: 'gsi1',
  /** LSI over a DAG's partition: its runs ordered by logical date (strongly consistent reads). */
  runsByLogicalDate: 'lsi1',
} as const;

export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  listPk: 'gsi1pk',
  listSk: 'gsi1sk',
  runOrder: 'lsi1sk',
  expiresAt: 'expiresAt',
  type: 'itemType',
  succeededUpstreams: 'succeededUpstreams',
} as const;

/** Partition keys of the lists GSI. */
export const LIST = {
  dags: 'DAGS',
  activeRuns: 'ACTIVE_RUNS',
  importErrors: 'IMPORT_ERRORS',
  schedulerHeartbeats: 'SCHEDULER_HEARTBEATS',
  variables: 'VARIABLES',
  connections: 'CONNECTIONS',
  users: 'USERS',
  pools: 'POOLS',
  assets: 'ASSETS',
  assetEvents: 'ASSET_EVENTS',
} as const;

export interface TableKey {
  pk: string;
  sk: string;
}

export const dagKey = (dagId: string): TableKey => ({ pk: `DAG#${dagId}`, sk: 'DAG' });

/** Versions live in their own partition so that large serialized DAGs do not grow the runs' collection. */
export const dagVersionKey = (dagId: string, versionId: string): TableKey => ({
  pk: `DAGVERSION#${dagId}`,
  sk: `VERSION#${versionId}`,
});

export const dagFileKey = (fileloc: string): TableKey => ({ pk: `FILE#${fileloc}`, sk: 'FILE' });

export const importErrorKey = (fileloc: string): TableKey => ({ pk: `FILE#${fileloc}`, sk: 'IMPORT_ERROR' });

export const dagRunKey = (key: DagRunKey): TableKey => ({ pk: `DAG#${key.dagId}`, sk: `RUN#${key.runId}` });

export const runsPartition = (dagId: string): string => `DAG#${dagId}`;

/** LSI sort key: ISO instants sort chronologically as strings; the run id breaks ties. */
export const runOrderKey = (logicalDateIso: string, runId: string): string => `RUN#${logicalDateIso}#${runId}`;

export const activeRunListKey = (key: DagRunKey): string => `${key.dagId}#${key.runId}`;

export const taskInstancesPartition = (run: DagRunKey): string => `RUN#${run.dagId}#${run.runId}`;

export const taskInstanceKey = (key: TaskInstanceKey): TableKey => ({
  pk: taskInstancesPartition(key),
  sk: `TI#${key.taskId}#${key.mapIndex}`,
});

export const xcomPartition = (run: DagRunKey): string => `XCOM#${run.dagId}#${run.runId}`;

/** The trailing `#` keeps task "t" map index 1 apart from map index 12 in a prefix query. */
export const xcomPrefix = (key: TaskInstanceKey): string => `${key.taskId}#${key.mapIndex}#`;

export const xcomKey = (key: TaskInstanceKey, xcomKeyName: string): TableKey => ({
  pk: xcomPartition(key),
  sk: `${xcomPrefix(key)}${xcomKeyName}`,
});

export const schedulerHeartbeatKey = (schedulerId: string): TableKey => ({
  pk: `SCHEDULER#${schedulerId}`,
  sk: 'HEARTBEAT',
});

export const variableKey = (key: string): TableKey => ({ pk: `VARIABLE#${key}`, sk: 'VARIABLE' });

export const connectionKey = (connId: string): TableKey => ({ pk: `CONNECTION#${connId}`, sk: 'CONNECTION' });

/** Simple auth manager users (DynamoDbUserStore, not part of the Metastore aggregate). */
export const userKey = (username: string): TableKey => ({ pk: `USER#${username}`, sk: 'USER' });

/** An asset's events share its partition, ordered by time: "events since" is one range query. */
export const assetEventsPartition = (assetUri: string): string => `ASSET#${assetUri}`;
export const assetEventSortKey = (timestampIso: string, eventId: string): string => `EVENT#${timestampIso}#${eventId}`;

/** An asset's registry item, addressed by its integer id (derived from the URI: `stableIntegerId`). */
export const assetKey = (assetId: number): TableKey => ({ pk: `ASSETINFO#${assetId}`, sk: 'ASSET' });

/** Lists-index sort key of an asset event: all events across assets in time order. */
export const assetEventListKey = (timestampIso: string, assetUri: string, eventId: string): string =>
  `${timestampIso}#${assetUri}#${eventId}`;

/** The first recording time of an external event (an S3 notification), so a redelivery reuses it. */
export const externalEventClaimKey = (externalEventId: string): TableKey => ({ pk: `EXTEVENT#${externalEventId}`, sk: 'CLAIM' });

export const poolKey = (name: string): TableKey => ({ pk: `POOL#${name}`, sk: 'POOL' });
