import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import type { DagFileRecord, ImportErrorRecord } from '../../core/model/records.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { DagFileStore, DagStore } from '../../core/ports/metastore.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { bundleDagFile, defaultSdkEntry, type BundleResult, type DagBundle } from './bundler.ts';
import { bundleKeyFor, filelocOfKey, isDagFileloc } from './dag-files.ts';
import { dagVersionId } from './dag-version.ts';
import { unconfiguredExecutorFailure } from './executor-check.ts';
import type { ImportFailure } from './import-failure.ts';
import { runParseChild, type ParseChildCommand, type ParseChildOutcome } from './run-parse-child.ts';
import { SerialQueue } from './serial-queue.ts';
import { DagWorkspace, sha256Hex } from './workspace.ts';

export interface DagProcessorSettings {
  /** Time limit for importing one DAG file (Airflow's `dagbag_import_timeout`, default 30). */
  parseTimeoutSeconds: number;
  /** Whether a DAG seen for the first time starts paused (Airflow's `dags_are_paused_at_creation`). */
  dagsArePausedAtCreation: boolean;
  /** The executors `core.executor` configures; a DAG naming another is an import error. Unset: not checked. */
  configuredExecutors?: readonly string[];
}

export interface DagProcessorOptions {
  metastore: DagStore & DagFileStore;
  objectStore: ObjectStore;
  clock: Clock;
  logger: Logger;
  settings: DagProcessorSettings;
  /** Local folder that mirrors `dags/`; default: a fresh folder under the OS temp folder. */
  workspaceRoot?: string;
  /** What `updraft/sdk` resolves to in bundles; default: this Updraft's SDK sources. */
  sdkEntry?: string;
  /** How to start the parse child; default: see `parseChildCommand`. */
  parseChild?: ParseChildCommand;
}

export interface ProcessFileResult {
  fileloc: string;
  /** `removed`: the file was gone from the bucket, so it was handled as a deletion. */
  outcome: 'parsed' | 'import_error' | 'removed';
  /** The DAGs saved from this file, with the version each now has. */
  dags: Array<{ dagId: string; versionId: string }>;
  savedDagIds: string[];
  deactivatedDagIds: string[];
  importError: ImportErrorRecord | null;
}

export interface RemoveFileResult {
  fileloc: string;
  deactivatedDagIds: string[];
}

export type ObjectEvent = { detailType: 'Object Created' | 'Object Deleted'; key: string };

export type ObjectEventResult =
  | { action: 'processed'; result: ProcessFileResult }
  | { action: 'removed'; result: RemoveFileResult }
  | { action: 'ignored'; reason: string };

export interface ProcessAllResult {
  processed: ProcessFileResult[];
  removed: RemoveFileResult[];
  /** Files whose content hash matched the last parse. */
  unchanged: string[];
}

/**
 * Turns DAG files under `dags/` into serialized, versioned DAGs in the metastore. User code runs only
 * in a child process with a time limit; the scheduler reads what this writes and never imports a file.
 */
export class DagProcessor {
  private readonly metastore: DagStore & DagFileStore;
  private readonly objectStore: ObjectStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly settings: DagProcessorSettings;
  private readonly sdkEntry: string;
  private readonly parseChild: ParseChildCommand | undefined;
  private readonly workspace: DagWorkspace;
  private readonly queue = new SerialQueue();
  private readonly storedBundles = new Set<string>();

  constructor(options: DagProcessorOptions) {
    this.metastore = options.metastore;
    this.objectStore = options.objectStore;
    this.clock = options.clock;
    this.logger = options.logger;
    this.settings = options.settings;
    this.sdkEntry = options.sdkEntry ?? defaultSdkEntry();
    this.parseChild = options.parseChild;
    this.workspace = new DagWorkspace(options.objectStore, options.workspaceRoot);
  }

  /** Parses one DAG file (`fileloc` relative to `dags/`) and records its DAGs or its import error. */
  async processFile(fileloc: string): Promise<ProcessFileResult> {
    assertDagFileloc(fileloc);
    return this.queue.run(async () => {
      const hashes = await this.workspace.sync([fileloc]);
      if (!hashes.has(fileloc)) return this.removedResult(await this.removeUnqueued(fileloc));
      return this.processBundled(fileloc, await this.bundle(fileloc));
    });
  }

  /** Handles a deleted DAG file: its DAGs are deactivated and its import error cleared. */
  async removeFile(fileloc: string): Promise<RemoveFileResult> {
    assertDagFileloc(fileloc);
    return this.queue.run(() => this.removeUnqueued(fileloc));
  }

  /** The S3 "Object Created"/"Object Deleted" event, from EventBridge in AWS or the local sync. */
  async handleObjectEvent(event: ObjectEvent): Promise<ObjectEventResult> {
    const fileloc = filelocOfKey(event.key);
    if (fileloc === null) return { action: 'ignored', reason: `"${event.key}" is not under dags/.` };
    if (!isDagFileloc(fileloc)) {
      return { action: 'ignored', reason: `"${event.key}" is not a DAG file (.ts, .js or .mjs).` };
    }
    if (event.detailType === 'Object Deleted') return { action: 'removed', result: await this.removeFile(fileloc) };
    return { action: 'processed', result: await this.processFile(fileloc) };
  }

  /**
   * Brings the metastore in line with the bucket: parses files whose bundle changed since their last
   * parse (a change to an imported sibling file counts) and handles files that disappeared.
   */
  processAll(): Promise<ProcessAllResult> {
    return this.queue.run(async () => {
      const hashes = await this.workspace.sync();
      const result: ProcessAllResult = { processed: [], removed: [], unchanged: [] };
      const dagFiles = [...hashes.keys()].filter(isDagFileloc).sort();

      // Removals first: a file refused for a DAG id that a vanished file held can then take it over.
      // The port lists DAGs and import errors, not files, so a vanished file shows up through them.
      const present = new Set(dagFiles);
      const known = new Set<string>();
      for (const dag of await this.metastore.listDags()) if (dag.isActive) known.add(dag.fileloc);
      for (const error of await this.metastore.listImportErrors()) known.add(error.fileloc);
      for (const fileloc of [...known].sort()) {
        if (!present.has(fileloc)) result.removed.push(await this.removeUnqueued(fileloc));
      }

      for (const fileloc of dagFiles) {
        const bundled = await this.bundle(fileloc);
        const previous = await this.metastore.getDagFile(fileloc);
        if (previous && previous.contentHash === (await this.contentHashOf(fileloc, bundled))) {
          result.unchanged.push(fileloc);
          continue;
        }
        result.processed.push(await this.processBundled(fileloc, bundled, previous));
      }
      return result;
    });
  }

  /** Removes the local mirror (tests and short-lived processes). */
  dispose(): Promise<void> {
    return this.queue.run(() => this.workspace.dispose());
  }

  private bundle(fileloc: string): Promise<BundleResult> {
    return bundleDagFile({ root: this.workspace.root, fileloc, sdkEntry: this.sdkEntry });
  }

  /** A bundle's sha, or for a file that does not bundle its source's, so an unchanged broken file is skipped. */
  private async contentHashOf(fileloc: string, bundled: BundleResult): Promise<string> {
    if (bundled.ok) return bundled.bundle.sha;
    return `source:${sha256Hex(await this.workspace.readSource(fileloc))}`;
  }

  private async processBundled(
    fileloc: string,
    bundled: BundleResult,
    known?: DagFileRecord | null,
  ): Promise<ProcessFileResult> {
    const previous = known === undefined ? await this.metastore.getDagFile(fileloc) : known;
    if (!bundled.ok) {
      return this.recordFailure(fileloc, bundled.failure, await this.contentHashOf(fileloc, bundled), previous);
    }
    const { bundle } = bundled;
    const bundlePath = join(this.workspace.root, `bundle-${bundle.sha}.mjs`);
    await writeFile(bundlePath, bundle.code);
    let outcome: ParseChildOutcome;
    try {
      outcome = await runParseChild({
        bundlePath,
        dagsDir: this.workspace.dagsDir,
        fileloc,
        timeoutSeconds: this.settings.parseTimeoutSeconds,
        command: this.parseChild,
      });
    } finally {
      // Lambda's /tmp is small and lives as long as the container.
      await rm(bundlePath, { force: true });
    }
    const { report, output } = outcome;
    if (output.trim() !== '') this.logger.debug('DAG file output while importing', { fileloc, output });
    if (!report.ok) return this.recordFailure(fileloc, report.failure, bundle.sha, previous);

    // Both stored without a content hash, so the next processAll retries: once the other file lets go of
    // the id, or once the executor is configured.
    const conflict =
      (await this.findDagIdConflict(fileloc, report.dags)) ??
      (this.settings.configuredExecutors ? unconfiguredExecutorFailure(report.dags, this.settings.configuredExecutors) : null);
    if (conflict) return this.recordFailure(fileloc, conflict, '', previous);
    return this.save(fileloc, bundle, report.dags, previous);
  }

  private async findDagIdConflict(fileloc: string, dags: readonly SerializedDag[]): Promise<ImportFailure | null> {
    for (const dag of dags) {
      const existing = await this.metastore.getDag(dag.dagId);
      if (existing && existing.isActive && existing.fileloc !== fileloc) {
        return {
          message:
            `DAG id "${dag.dagId}" is already defined in ${existing.fileloc}. DAG ids must be unique across ` +
            'files: rename one of the DAGs, or delete the other file.',
          line: null,
        };
      }
    }
    return null;
  }

  private async save(
    fileloc: string,
    bundle: DagBundle,
    dags: readonly SerializedDag[],
    previous: DagFileRecord | null,
  ): Promise<ProcessFileResult> {
    const now = this.clock.now();
    const bundleKey = bundleKeyFor(bundle.sha);
    await this.storeBundle(bundleKey, bundle.code);

    const saved: Array<{ dagId: string; versionId: string }> = [];
    for (const serialized of dags) {
      const versionId = dagVersionId(serialized, bundle.sha);
      await this.metastore.saveParsedDag({
        dag: {
          dagId: serialized.dagId,
          fileloc,
          isActive: true,
          latestVersionId: versionId,
          description: serialized.description,
          tags: serialized.tags,
          scheduleDescription: serialized.scheduleDescription,
          maxActiveRuns: serialized.maxActiveRuns,
          lastParsedAt: now,
        },
        version: { dagId: serialized.dagId, versionId, serialized, bundleKey, createdAt: now },
        pausedAtCreation: this.settings.dagsArePausedAtCreation,
        // The scheduler computes the real next run; this only tells it when to start looking.
        nextDagRunCreateAfter: serialized.timetable.type === 'null' ? null : now,
      });
      saved.push({ dagId: serialized.dagId, versionId });
    }

    const current = new Set(dags.map((dag) => dag.dagId));
    const gone = (previous?.dagIds ?? []).filter((dagId) => !current.has(dagId));
    const deactivated = await this.deactivateOwned(fileloc, gone);
    await this.metastore.putDagFile({ fileloc, contentHash: bundle.sha, dagIds: [...current].sort(), lastParsedAt: now });
    await this.metastore.deleteImportError(fileloc);
    this.logger.info('DAG file parsed', { fileloc, dag_ids: [...current], deactivated_dag_ids: deactivated });
    return {
      fileloc,
      outcome: 'parsed',
      dags: saved,
      savedDagIds: saved.map((dag) => dag.dagId),
      deactivatedDagIds: deactivated,
      importError: null,
    };
  }

  /**
   * As in Airflow 3, the DAGs of a file that fails to import are deactivated until it imports again;
   * runs already started keep the version they started with.
   */
  private async recordFailure(
    fileloc: string,
    failure: ImportFailure,
    contentHash: string,
    previous: DagFileRecord | null,
  ): Promise<ProcessFileResult> {
    const now = this.clock.now();
    const importError: ImportErrorRecord = { fileloc, message: failure.message, line: failure.line, timestamp: now };
    await this.metastore.putImportError(importError);
    const dagIds = previous?.dagIds ?? [];
    const deactivated = await this.deactivateOwned(fileloc, dagIds);
    // The file keeps its DAG ids: a later deletion or fix must still find them.
    await this.metastore.putDagFile({ fileloc, contentHash, dagIds, lastParsedAt: now });
    this.logger.warn('DAG file failed to import', { fileloc, error: failure.message, line: failure.line });
    return { fileloc, outcome: 'import_error', dags: [], savedDagIds: [], deactivatedDagIds: deactivated, importError };
  }

  private async removeUnqueued(fileloc: string): Promise<RemoveFileResult> {
    const previous = await this.metastore.getDagFile(fileloc);
    let dagIds = previous?.dagIds ?? [];
    if (!previous) {
      // No file record (e.g. lost in a crash): fall back to the DAGs that name this file.
      dagIds = (await this.metastore.listDags()).filter((dag) => dag.fileloc === fileloc).map((dag) => dag.dagId);
    }
    const deactivated = await this.deactivateOwned(fileloc, dagIds);
    await this.metastore.deleteImportError(fileloc);
    if (previous) await this.metastore.deleteDagFile(fileloc);
    this.logger.info('DAG file removed', { fileloc, deactivated_dag_ids: deactivated });
    return { fileloc, deactivatedDagIds: deactivated };
  }

  /** Deactivates those of `dagIds` that are active and still belong to this file (another may own the id now). */
  private async deactivateOwned(fileloc: string, dagIds: readonly string[]): Promise<string[]> {
    const owned: string[] = [];
    for (const dagId of dagIds) {
      const dag = await this.metastore.getDag(dagId);
      if (dag && dag.isActive && dag.fileloc === fileloc) owned.push(dagId);
    }
    if (owned.length > 0) await this.metastore.deactivateDags(owned);
    return owned;
  }

  private async storeBundle(bundleKey: string, code: string): Promise<void> {
    if (this.storedBundles.has(bundleKey)) return;
    const existing = await this.objectStore.list(bundleKey);
    if (!existing.some((object) => object.key === bundleKey)) {
      await this.objectStore.put(bundleKey, code, 'text/javascript');
    }
    this.storedBundles.add(bundleKey);
  }

  private removedResult(removed: RemoveFileResult): ProcessFileResult {
    return {
      fileloc: removed.fileloc,
      outcome: 'removed',
      dags: [],
      savedDagIds: [],
      deactivatedDagIds: removed.deactivatedDagIds,
      importError: null,
    };
  }
}

function assertDagFileloc(fileloc: string): void {
  if (!isDagFileloc(fileloc)) {
    throw new ValidationError(
      `"${fileloc}" is not a DAG file path: give a path relative to dags/ (no leading "/", no "." or ".." ` +
        'segments) ending in .ts, .js or .mjs, e.g. "etl/orders.ts".',
      'fileloc',
    );
  }
}

