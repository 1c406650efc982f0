import type { Endpoint } from '../endpoint.ts';
import { ASSET_ENDPOINTS } from './assets.ts';
import { BACKFILL_ENDPOINTS } from './backfills.ts';
import { CONFIG_ENDPOINTS } from './config.ts';
import { CONNECTION_ENDPOINTS } from './connections.ts';
import { DAG_SOURCE_ENDPOINTS } from './dag-sources.ts';
import { IMPORT_ERROR_ENDPOINTS } from './import-errors.ts';
import { POOL_ENDPOINTS } from './pools.ts';
import { VARIABLE_ENDPOINTS } from './variables.ts';
import { AUTH_ENDPOINTS } from './auth.ts';
import { DAG_RUN_ENDPOINTS } from './dag-runs.ts';
import { DAG_ENDPOINTS } from './dags.ts';
import { MONITOR_ENDPOINTS } from './monitor.ts';
import { TASK_INSTANCE_ENDPOINTS } from './task-instances.ts';
import { TASK_ENDPOINTS } from './tasks.ts';

/** Every endpoint of the REST API, group by group; the app serves these and the OpenAPI document describes them. */
export const ALL_ENDPOINTS: readonly Endpoint[] = [
  ...MONITOR_ENDPOINTS,
  ...AUTH_ENDPOINTS,
  ...DAG_ENDPOINTS,
  ...DAG_RUN_ENDPOINTS,
  ...TASK_ENDPOINTS,
  ...TASK_INSTANCE_ENDPOINTS,
  ...VARIABLE_ENDPOINTS,
  ...CONNECTION_ENDPOINTS,
  ...POOL_ENDPOINTS,
  ...IMPORT_ERROR_ENDPOINTS,
  ...DAG_SOURCE_ENDPOINTS,
  ...ASSET_ENDPOINTS,
  ...CONFIG_ENDPOINTS,
  ...BACKFILL_ENDPOINTS,
];
