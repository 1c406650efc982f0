import { runIdFor } from '../model/keys.ts';
import type { DagRecord, DataInterval } from '../model/records.ts';
import type { SerializedDag } from '../model/serialized-dag.ts';
import type { Timetable } from '../../sdk/timetables/index.ts';

export interface PlannedRun {
  runId: string;
  logicalDate: Date;
  dataInterval: DataInterval;
  runAfter: Date;
}

export interface RunCreationPlan {
  runs: PlannedRun[];
  /** The DAG's bookkeeping after these runs exist. */
  lastAutomatedDataInterval: DataInterval | null;
  nextDagRunCreateAfter: Date | null;
  /** Whether the bookkeeping differs from the DAG's current one (no write is needed otherwise). */
  changed: boolean;
}

export interface RunCreationInput {
  dag: Pick<DagRecord, 'dagId' | 'maxActiveRuns' | 'lastAutomatedDataInterval' | 'nextDagRunCreateAfter'>;
  serialized: Pick<SerializedDag, 'startDate' | 'endDate' | 'catchup'>;
  timetable: Pick<Timetable, 'nextDagRunInfo'>;
  /** The DAG's runs that are queued or running now (Airflow counts both against max_active_runs). */
  activeRuns: number;
  now: Date;
  /** Upper bound of runs created for one DAG in one tick, so a long catchup cannot stall a tick. */
  maxRunsPerTick: number;
}

/**
 * Which scheduled runs are due for one DAG, as Airflow's scheduler creates them: every run whose
 * `runAfter` has passed, oldest first, while the DAG has fewer active runs than `maxActiveRuns`. With
 * catchup the timetable hands out every missed interval in turn (bounded per tick); without it, it
 * jumps to the latest one.
 *
 * When a limit stops creation, `nextDagRunCreateAfter` stays at the run that is already due, so the next
 * tick looks again (Airflow sets it to None and recomputes when a run ends; in Updraft null means "never").
 */
export function planRunCreation(input: RunCreationInput): RunCreationPlan {
  const { dag, serialized, timetable, now } = input;
  const restriction = {
    earliest: serialized.startDate ? new Date(serialized.startDate) : null,
    latest: serialized.endDate ? new Date(serialized.endDate) : null,
    catchup: serialized.catchup,
  };
  const runs: PlannedRun[] = [];
  let last = dag.lastAutomatedDataInterval;
  let next = timetable.nextDagRunInfo({ lastAutomatedDataInterval: last, restriction, now });

  while (
    next !== null &&
    next.runAfter.getTime() <= now.getTime() &&
    runs.length < input.maxRunsPerTick &&
    input.activeRuns + runs.length < dag.maxActiveRuns
  ) {
    runs.push({
      runId: runIdFor('scheduled', next.logicalDate),
      logicalDate: next.logicalDate,
      dataInterval: { start: next.dataInterval.start, end: next.dataInterval.end },
      runAfter: next.runAfter,
    });
    last = next.dataInterval;
    next = timetable.nextDagRunInfo({ lastAutomatedDataInterval: last, restriction, now });
  }

  const nextDagRunCreateAfter = next?.runAfter ?? null;
  return {
    runs,
    lastAutomatedDataInterval: last,
    nextDagRunCreateAfter,
    changed: runs.length > 0 || !sameInstant(nextDagRunCreateAfter, dag.nextDagRunCreateAfter),
  };
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}
