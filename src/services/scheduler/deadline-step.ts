import type { DagRunRecord } from '../../core/model/records.ts';
import type { SerializedDeadline } from '../../core/model/serialized-dag.ts';
import { findMissedDeadlines } from '../../core/scheduling/deadlines.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { dispatchDagCallback } from './dag-callback-dispatch.ts';
import type { SchedulerDeps } from './settings.ts';
import { describe } from './transition-applier.ts';

export interface DeadlineStepReport {
  alerted: number;
  errors: number;
}

/**
 * The tick's deadline step: finds the active runs past their DAG version's deadline, marks each with a
 * conditional write (still active, not marked yet), and sends the deadline callback for the runs this
 * call marked. Two ticks at once, or a retried tick, therefore alert a run once. A failure is logged
 * and counted; the run keeps running either way.
 */
export async function alertMissedDeadlines(
  deps: SchedulerDeps,
  activeRuns: readonly DagRunRecord[],
  now: Date,
  concurrency: number,
): Promise<DeadlineStepReport> {
  const report: DeadlineStepReport = { alerted: 0, errors: 0 };
  const candidates = activeRuns.filter((run) => run.deadlineAlertedAt === undefined);
  if (candidates.length === 0) return report;
  // Versions are immutable and cached: one read per version per process, not per tick.
  const deadlines = new Map<DagRunRecord, SerializedDeadline | null>();
  await mapWithConcurrency(candidates, concurrency, async (run) => {
    try {
      deadlines.set(run, (await deps.dagVersions.get(run.dagId, run.versionId)).serialized.deadline ?? null);
    } catch (error) {
      report.errors += 1;
      deps.logger.error(`Could not read the DAG version to check the run's deadline: ${describe(error)}`, { dag_id: run.dagId, run_id: run.runId });
    }
  });
  const missed = findMissedDeadlines(candidates, (run) => deadlines.get(run), now);
  await mapWithConcurrency(missed, concurrency, async ({ run, deadline }) => {
    const attributes = { dag_id: run.dagId, run_id: run.runId, deadline: deadline.toISOString() };
    try {
      const marked = await deps.metastore.markDeadlineAlerted(run, now);
      if (!marked) return; // Ended meanwhile, or another tick alerted it.
      deps.logger.warn('DAG run missed its deadline', attributes);
      report.alerted += 1;
      await dispatchDagCallback(deps, { run: marked, event: 'deadline', reason: 'deadline_missed', deadlineAt: deadline });
    } catch (error) {
      report.errors += 1;
      deps.logger.error(`Could not alert the run's missed deadline: ${describe(error)}`, attributes);
    }
  });
  return report;
}
