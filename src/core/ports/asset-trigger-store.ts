/**
 * Per DAG scheduled on assets: how far its asset-triggered runs have consumed asset events (the twin of
 * Airflow's AssetDagRunQueue, kept as a cursor). Every write is conditional on `revision`; losing a race
 * throws `ConflictError` (from core/errors).
 */
export interface AssetTriggerState {
  dagId: string;
  /** Events at or before this instant are consumed (by a run, or skipped while the DAG was paused). */
  consumedThrough: Date;
  /**
   * The window of a run this state claimed but whose creation may not have happened yet (a crash between
   * the two writes): the next tick creates it again (same run id) and then clears it.
   */
  pendingRun: { from: Date; runAfter: Date } | null;
  revision: number;
}

export interface AssetTriggerStore {
  getAssetTriggerState(dagId: string): Promise<AssetTriggerState | null>;
  /** Creates the state at revision 0 unless one exists; answers the state as stored. */
  initAssetTriggerState(dagId: string, consumedThrough: Date): Promise<AssetTriggerState>;
  /** Writes the changes and bumps `revision`, if the stored revision is still `expectedRevision`. */
  updateAssetTriggerState(
    dagId: string,
    changes: Pick<AssetTriggerState, 'consumedThrough' | 'pendingRun'>,
    expectedRevision: number,
  ): Promise<AssetTriggerState>;
}
