import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from '../core/model/connection.ts';
import type { TaskAttemptKey } from '../core/model/keys.ts';
import type { SerializedDag } from '../core/model/serialized-dag.ts';
import { serializeDag } from '../core/serialization/serialize-dag.ts';
import { deserializeTimetable } from '../core/timetables/deserialize.ts';
import { NotFoundError, UpdraftError } from '../core/errors.ts';
import { isDag, rescheduleDateOf, taskSignalOf, type Dag } from '../sdk/index.ts';
import { bundleDagFile, defaultSdkEntry } from '../services/dag-processing/bundler.ts';
import { isDagFileloc } from '../services/dag-processing/dag-files.ts';
import { EnvironmentSecretsBackend } from '../services/secrets/environment-backend.ts';
import { SecretsService } from '../services/secrets/secrets-service.ts';
import type { AttemptInfo } from '../services/task-runner/attempt-info.ts';
import { ExecutionTimeoutError } from '../services/task-runner/errors.ts';
import { executeTask } from '../services/task-runner/execute-task.ts';
import { TaskSecretAccess } from '../services/task-runner/secret-access.ts';
import { describeError, TaskLog } from '../services/task-runner/task-log.ts';
import { XComAccess } from '../services/task-runner/xcom-access.ts';

export interface RunTaskOnceOptions {
  dagId: string;
  taskId: string;
  dagsFolder: string;
  logicalDate?: Date;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
}

export interface RunTaskOnceResult {
  state: 'success' | 'skipped' | 'failed' | 'up_for_reschedule';
  /** The task's log, as the runner writes it. */
  log: string;
  /** What the task returned, or pushed, in memory only. */
  xcoms: Record<string, unknown>;
}

/**
 * `updraft tasks test`: Airflow's `tasks test`, one task instance run in this process, without checking
 * its dependencies and without recording anything: no DAG run, no task instance, no XCom, no log in the
 * metastore or bucket. Upstream XComs are absent (pulls answer null), as no upstream ran. Variables and
 * connections come from the environment (UPDRAFT_VAR_*, UPDRAFT_CONN_*); a variable the task sets is kept
 * in memory.
 */
export async function runTaskOnce(options: RunTaskOnceOptions): Promise<RunTaskOnceResult> {
  const now = options.now ?? (() => new Date());
  const workspace = await mkdtemp(join(tmpdir(), 'updraft-tasks-test-'));
  try {
    const { dag, fileloc } = await loadDag(options.dagId, options.dagsFolder, workspace);
    const task = dag.tasks.get(options.taskId);
    if (!task) {
      throw new NotFoundError(`DAG "${dag.dagId}" has no task "${options.taskId}". Its tasks: ${[...dag.tasks.keys()].sort().join(', ')}.`);
    }
    if (task.operator === 'python') {
      throw new UpdraftError(
        'unsupported_operator',
        `Task "${task.taskId}" is a pythonTask, which runs in its own Python process through the Execution API; ` +
          '`tasks test` runs tasks in-process without an API. Use `updraft dags test` to run it.',
      );
    }
    const serialized = serializeDag(dag, fileloc);
    const logicalDate = options.logicalDate ?? now();
    const ti: TaskAttemptKey = {
      dagId: dag.dagId,
      taskId: task.taskId,
      // Airflow names the run of `tasks test` the same way: it exists only for this command.
      runId: `__airflow_temporary_run_${logicalDate.toISOString()}__`,
      mapIndex: -1,
      tryNumber: 1,
    };
    const info = attemptInfo(ti, serialized, logicalDate, task.retries + 1);
    const log = new TaskLog(now);
    const xcoms = new Map<string, unknown>();
    const secrets = new SecretsService([new EnvironmentSecretsBackend(options.env ?? process.env)]);
    const setVariables = new Map<string, string>();
    const controller = new AbortController();
    const timeout =
      task.executionTimeoutSeconds !== null && task.executionTimeoutSeconds > 0
        ? setTimeout(() => controller.abort(new ExecutionTimeoutError(task.executionTimeoutSeconds!)), task.executionTimeoutSeconds * 1000)
        : undefined;
    log.info(`Testing ${dag.dagId}.${task.taskId} (logical date ${logicalDate.toISOString()}): dependencies are not checked and no state is recorded.`);
    let state: RunTaskOnceResult['state'];
    try {
      const result = await executeTask({
        task,
        info,
        xcoms: new XComAccess(
          {
            getXCom: async (key, xcomKey) => (key.taskId === ti.taskId && xcoms.has(xcomKey) ? { key: xcomKey, value: xcoms.get(xcomKey) } : null),
            setXCom: async (_key, xcomKey, value) => void xcoms.set(xcomKey, value),
          },
          ti,
          {},
        ),
        secrets: new TaskSecretAccess(
          {
            getVariable: async (key) => setVariables.get(key) ?? (await secrets.getVariable(key).catch(() => null)),
            setVariable: async (key, value) => void setVariables.set(key, value),
            getConnection: async (connId): Promise<Connection> => secrets.getConnection(connId),
          },
          log.masker,
        ),
        log,
        signal: controller.signal,
      });
      if (result.kind === 'reschedule') {
        // A sensor that is not done yet: one test run is one poke.
        log.info(`Sensor condition not met; it would poke again at ${result.rescheduleDate.toISOString()}.`);
        state = 'up_for_reschedule';
      } else if (result.kind === 'skipped') {
        log.info(result.message);
        state = 'skipped';
      } else {
        if (task.doXcomPush && result.returnValue !== undefined && result.returnValue !== null) xcoms.set('return_value', result.returnValue);
        log.info(`Task succeeded${xcoms.has('return_value') ? `; it returned ${JSON.stringify(xcoms.get('return_value'))}` : ''}.`);
        state = 'success';
      }
    } catch (error) {
      state = endStateOf(error, log);
    } finally {
      if (timeout) clearTimeout(timeout);
    }
    return { state, log: log.text(), xcoms: Object.fromEntries(xcoms) };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

function endStateOf(error: unknown, log: TaskLog): RunTaskOnceResult['state'] {
  const signal = taskSignalOf(error);
  if (signal === 'skip') {
    log.info(`Task skipped: ${error instanceof Error ? error.message : String(error)}`);
    return 'skipped';
  }
  const rescheduleDate = rescheduleDateOf(error);
  if (rescheduleDate) {
    log.info(`The task asked to be rescheduled at ${rescheduleDate.toISOString()}.`);
    return 'up_for_reschedule';
  }
  log.error(`Task failed: ${describeError(error)}`);
  return 'failed';
}

/** A manual run's data interval and the DAG's param defaults, as a triggered run would give them. */
function attemptInfo(ti: TaskAttemptKey, dag: SerializedDag, logicalDate: Date, maxTries: number): AttemptInfo {
  const interval = deserializeTimetable(dag.timetable).inferManualDataInterval(logicalDate);
  return {
    ti,
    maxTries,
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    runAfter: logicalDate,
    runType: 'manual',
    conf: {},
    params: Object.fromEntries(Object.entries(dag.params).map(([name, param]) => [name, param.default ?? null])),
  };
}

/**
 * Bundles the DAG files as the DAG processor does and imports them here until one defines the DAG;
 * files that mention the DAG id are tried first, so usually one file is imported.
 */
async function loadDag(dagId: string, dagsFolder: string, workspace: string): Promise<{ dag: Dag; fileloc: string }> {
  // The bundler reads `<root>/dags/<fileloc>`: the root is a throw-away folder whose `dags` is the user's.
  await symlink(dagsFolder, join(workspace, 'dags'), 'dir');
  const files = await dagFiles(dagsFolder);
  const mentions = await Promise.all(files.map(async (fileloc) => (await readFile(join(dagsFolder, fileloc), 'utf8')).includes(dagId)));
  const ordered = [...files.filter((_, i) => mentions[i]), ...files.filter((_, i) => !mentions[i])];
  const found: string[] = [];
  const failures: string[] = [];
  for (const [index, fileloc] of ordered.entries()) {
    const result = await bundleDagFile({ root: workspace, fileloc, sdkEntry: defaultSdkEntry() });
    if (!result.ok) {
      failures.push(`${fileloc}: ${result.failure.message}`);
      continue;
    }
    const file = join(workspace, `bundle-${index}.mjs`);
    await writeFile(file, result.bundle.code);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      failures.push(`${fileloc}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const value of Object.values(module)) {
      if (!isDag(value)) continue;
      if (value.dagId === dagId) return { dag: value, fileloc };
      found.push(value.dagId);
    }
  }
  throw new NotFoundError(
    `DAG "${dagId}" was not found in ${dagsFolder}. ` +
      (found.length ? `DAGs found: ${[...new Set(found)].sort().join(', ')}.` : 'No DAGs were found.') +
      (failures.length ? ` Files that failed to import:\n  ${failures.join('\n  ')}` : ''),
  );
}

async function dagFiles(dagsFolder: string): Promise<string[]> {
  const entries = await readdir(dagsFolder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dagsFolder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(isDagFileloc)
    .sort();
}
