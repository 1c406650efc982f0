import type { Command } from 'commander';
import type { RestClient } from '../rest-client.ts';
import { API, CommandFailedError, examples, formatOf, outputOption, parseInstant, parseJsonObject, seg, withApi, type CliIo } from '../command-support.ts';
import { CliUsageError, printRows } from '../output.ts';

/** The fields of Airflow's DAGRunResponse the commands print. */
export interface DagRunJson {
  dag_id: string;
  dag_run_id: string;
  state: string;
  run_type: string;
  logical_date: string | null;
  run_after: string;
  start_date: string | null;
  end_date: string | null;
  conf: Record<string, unknown> | null;
}

interface TaskInstanceJson {
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
}

const FINISHED_RUN_STATES = new Set(['success', 'failed']);

export const dagRunsPath = (dagId: string) => `${API}/dags/${seg(dagId)}/dagRuns`;

export function registerDagRunCommands(dags: Command, io: CliIo): void {
  outputOption(
    dags
      .command('trigger <dag_id>')
      .description('Create a manual run of a DAG; with --wait, follow it to the end (exit 0 on success, 1 on failure)')
      .option('-c, --conf <json>', 'JSON object passed to the run as its conf')
      .option('-l, --logical-date <iso>', 'logical date of the run (default: now)')
      .option('-r, --run-id <id>', 'run id (default: manual__<logical date>)')
      .option('-w, --wait', 'wait for the run to finish, printing task progress on stderr')
      .option('--poll-interval <seconds>', 'seconds between checks with --wait', '2')
      .option('--timeout <seconds>', 'with --wait, give up after this many seconds (exit 1)', '3600')
      .addHelpText(
        'after',
        examples('dags trigger sales_daily', "dags trigger sales_daily --conf '{\"region\": \"eu\"}' --logical-date 2026-01-01", 'dags trigger sales_daily --wait'),
      ),
  ).action(
    async (
      dagId: string,
      options: { conf?: string; logicalDate?: string; runId?: string; wait?: boolean; pollInterval: string; timeout: string; output: string },
      command: Command,
    ) => {
      const format = formatOf(options);
      const conf = parseJsonObject(options.conf, '--conf', '{"n": 3}');
      const logicalDate = parseInstant(options.logicalDate, '--logical-date');
      const pollSeconds = Number(options.pollInterval);
      const timeoutSeconds = Number(options.timeout);
      if (!(pollSeconds > 0)) throw new CliUsageError(`--poll-interval must be a positive number of seconds, not "${options.pollInterval}".`);
      if (!(timeoutSeconds > 0)) throw new CliUsageError(`--timeout must be a positive number of seconds, not "${options.timeout}".`);
      await withApi(command, io, async ({ client, mode, standaloneRunning }) => {
        const run = await client.request<DagRunJson>('POST', dagRunsPath(dagId), {
          body: { logical_date: logicalDate ?? null, conf: conf ?? {}, ...(options.runId ? { dag_run_id: options.runId } : {}) },
        });
        printRows(
          [{ dag_id: run.dag_id, run_id: run.dag_run_id, state: run.state, logical_date: run.logical_date, conf: format === 'table' ? JSON.stringify(run.conf) : run.conf }],
          format,
          io.stdout,
        );
        if (mode === 'local' && !standaloneRunning && format === 'table') {
          io.stderr.write('Updraft is not running locally: the run is queued and starts when you run `npm start`.\n');
        }
        if (!options.wait) return;
        const final = await waitForRun(client, io, run, { pollMs: pollSeconds * 1000, timeoutMs: timeoutSeconds * 1000 });
        if (final.state !== 'success') {
          throw new CommandFailedError(
            `DAG run ${final.dag_run_id} of ${final.dag_id} ended ${final.state}. See which task failed with \`updraft tasks states-for-dag-run ${final.dag_id} ${final.dag_run_id}\` and its log with \`updraft tasks logs\`.`,
          );
        }
        io.stderr.write(`DAG run ${final.dag_run_id}: ${final.state}\n`);
      });
    },
  );

  outputOption(
    dags
      .command('list-runs <dag_id>')
      .description('List the runs of a DAG, latest first')
      .option('--state <state>', 'only runs in this state (queued, running, success, failed)')
      .option('-s, --start-date <iso>', 'only runs with a logical date on or after this')
      .option('-e, --end-date <iso>', 'only runs with a logical date on or before this')
      .option('--no-backfill', 'leave out backfill runs')
      .addHelpText('after', examples('dags list-runs sales_daily', 'dags list-runs sales_daily --state failed -s 2026-01-01 -o json')),
  ).action(
    async (dagId: string, options: { state?: string; startDate?: string; endDate?: string; backfill: boolean; output: string }, command: Command) => {
      const format = formatOf(options);
      const query = {
        state: options.state,
        logical_date_gte: parseInstant(options.startDate, '--start-date'),
        logical_date_lte: parseInstant(options.endDate, '--end-date'),
        run_type: options.backfill ? undefined : ['scheduled', 'manual', 'asset_triggered'],
        order_by: '-run_after',
      };
      await withApi(command, io, async ({ client }) => {
        const runs = await client.listAll<DagRunJson>(dagRunsPath(dagId), 'dag_runs', query);
        printRows(
          runs.map((run) => ({
            dag_id: run.dag_id,
            run_id: run.dag_run_id,
            state: run.state,
            run_after: run.run_after,
            logical_date: run.logical_date,
            start_date: run.start_date,
            end_date: run.end_date,
          })),
          format,
          io.stdout,
        );
      });
    },
  );
}

/** Polls a run until it finishes, printing each task's new state on stderr; throws past the timeout. */
export async function waitForRun(
  client: RestClient,
  io: CliIo,
  run: DagRunJson,
  options: { pollMs: number; timeoutMs: number },
): Promise<DagRunJson> {
  const seen = new Map<string, string>();
  const runPath = `${dagRunsPath(run.dag_id)}/${seg(run.dag_run_id)}`;
  let waited = 0;
  io.stderr.write(`Waiting for DAG run ${run.dag_run_id} (${run.state})...\n`);
  for (;;) {
    const current = await client.request<DagRunJson>('GET', runPath);
    for (const ti of await client.listAll<TaskInstanceJson>(`${runPath}/taskInstances`, 'task_instances')) {
      const name = ti.map_index >= 0 ? `${ti.task_id}[${ti.map_index}]` : ti.task_id;
      const state = `${ti.state ?? 'none'}${ti.try_number > 1 ? ` (try ${ti.try_number})` : ''}`;
      if (seen.get(name) !== state && ti.state !== null) io.stderr.write(`  ${name}: ${state}\n`);
      seen.set(name, state);
    }
    if (FINISHED_RUN_STATES.has(current.state)) return current;
    if (waited >= options.timeoutMs) {
      throw new CommandFailedError(
        `DAG run ${run.dag_run_id} is still ${current.state} after ${Math.round(waited / 1000)} s; it goes on without us. ` +
          `Follow it with \`updraft tasks states-for-dag-run ${run.dag_id} ${run.dag_run_id}\`, or wait longer with --timeout.`,
      );
    }
    await io.sleep(options.pollMs);
    waited += options.pollMs;
  }
}
