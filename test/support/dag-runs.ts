import type { DagRunRecord } from '../../src/core/model/records.ts';

/**
 * A running manual run whose data interval is the day before its logical date, as test harnesses seed
 * them (the task instances are the caller's business).
 */
export function runningManualRun(dagId: string, versionId: string, logicalDate: Date, conf: Record<string, unknown>, now: Date): DagRunRecord {
  return {
    dagId,
    runId: `manual__${logicalDate.toISOString()}`,
    state: 'running',
    runType: 'manual',
    logicalDate,
    dataInterval: { start: new Date(logicalDate.getTime() - 86_400_000), end: logicalDate },
    runAfter: logicalDate,
    versionId,
    conf,
    queuedAt: now,
    startDate: now,
    endDate: null,
    revision: 0,
  };
}
