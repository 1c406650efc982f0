import type { DagRunRecord, TaskInstanceRecord } from '../../core/model/records.ts';
import type { SerializedDag, SerializedTask } from '../../core/model/serialized-dag.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { dependsOnPast, needsPreviousRun, previousRunQuery, type PreviousRun } from '../../core/scheduling/depends-on-past.ts';

/**
 * Reads the previous run for one scheduling pass, only once a task with dependsOnPast is ready by its
 * trigger rule: DAGs without dependsOnPast, and runs before or past that point, read nothing. It is
 * kept for the pass (its rounds) only, never across passes: the previous run moves on between them (a
 * clear, a retry). Reading it costs one query (limit 1 on the logical-date index) and one listing.
 */
export class PreviousRunReader {
  private readonly pastTasks: readonly SerializedTask[];
  private loaded: Promise<PreviousRun | null> | null = null;

  constructor(
    private readonly metastore: Pick<Metastore, 'listDagRuns' | 'listTaskInstances'>,
    private readonly run: DagRunRecord,
    private readonly dag: SerializedDag,
  ) {
    this.pastTasks = dag.tasks.filter(dependsOnPast);
  }

  /** Planning's `previousRun` for these instances: undefined while no such task is ready to start. */
  forPlanning(tis: readonly TaskInstanceRecord[]): Promise<PreviousRun | null> | undefined {
    if (this.loaded) return this.loaded;
    if (!needsPreviousRun(this.dag, this.pastTasks, tis)) return undefined;
    this.loaded = this.load();
    return this.loaded;
  }

  private async load(): Promise<PreviousRun | null> {
    const [previous] = await this.metastore.listDagRuns(this.run.dagId, { ...previousRunQuery(this.dag, this.run), limit: 1 });
    if (!previous) return null;
    return { run: previous, tis: await this.metastore.listTaskInstances(previous) };
  }
}
