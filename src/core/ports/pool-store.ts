/** A pool, as Airflow has them: a named number of slots that task instances take while they run. */
export interface PoolRecord {
  name: string;
  slots: number;
  description: string | null;
  /** Whether deferred task instances count against the slots (Airflow's `include_deferred`). */
  includeDeferred: boolean;
}

/** Airflow's default pool, which every task uses unless it names another. */
export const DEFAULT_POOL_NAME = 'default_pool';

export interface PoolStore {
  getPool(name: string): Promise<PoolRecord | null>;
  listPools(): Promise<PoolRecord[]>;
  /** Creates or replaces a pool. */
  putPool(pool: PoolRecord): Promise<void>;
  /** False when there was no such pool. */
  deletePool(name: string): Promise<boolean>;
}
