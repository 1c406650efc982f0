import type { Command } from 'commander';
import { ApiError, type RestClient } from '../rest-client.ts';
import {
  API,
  CommandFailedError,
  examples,
  formatOf,
  outputOption,
  parseInstant,
  parseJsonObject,
  parseWholeNumber,
  seg,
  withApi,
  type CliIo,
} from '../command-support.ts';
import { CliUsageError, printRecord, printRows } from '../output.ts';
import { dagRunsPath, type DagRunJson } from './dags-runs.ts';

/** The fields of Airflow's BackfillResponse the command prints. */
interface BackfillJson {
  id: number;
  dag_id: string;
  from_date: string;
  to_date: string;
  is_paused: boolean;
  reprocess_behavior: string;
  max_active_runs: number;
  completed_at: string | null;
  [field: string]: unknown;
}

interface DryRunJson {
  backfills: Array<{ logical_date: string | null }>;
  total_entries: number;
}

const REPROCESS_BEHAVIORS = ['none', 'failed', 'completed'];

interface BackfillOptions {
  startDate?: string;
  endDate?: string;
  reprocessBehavior: string;
  maxActiveRuns: string;
  runBackwards?: boolean;
  dryRun?: boolean;
  conf?: string;
  dagRunConf?: string;
  wait?: boolean;
  pollInterval: string;
  timeout: string;
  output: string;
}

/**
 * `updraft dags backfill`: Airflow 3's `airflow dags backfill`, over the REST API (create_backfill, or
 * create_backfill_dry_run with --dry-run). The scheduler runs the backfill; --wait follows it to the end.
 */
export function registerDagsBackfillCommand(dags: Command, io: CliIo): void {
  outputOption(
    dags
      .command('backfill <dag_id>')
      .description("Run a DAG for the past logical dates of its schedule in a range (the scheduler starts the runs)")
      .requiredOption('-s, --start-date <iso>', 'first logical date of the range (inclusive)')
      .requiredOption('-e, --end-date <iso>', 'last logical date of the range (inclusive)')
      .option('--reprocess-behavior <behavior>', 'dates that already have a run: none (keep them), failed (re-run failed ones), completed (re-run failed and succeeded ones)', 'none')
      .option('--max-active-runs <n>', 'at most this many runs of the backfill run at once', '10')
      .option('-B, --run-backwards', 'start with the latest logical date')
      .option('--dry-run', 'print the logical dates that would run; create nothing')
      .option('-c, --conf <json>', 'JSON object passed to every run as its conf')
      .option('--dag-run-conf <json>', "the same as --conf (Airflow's name)")
      .option('-w, --wait', 'wait until every run of the backfill has ended (exit 1 if one failed)')
      .option('--poll-interval <seconds>', 'seconds between checks with --wait', '5')
      .option('--timeout <seconds>', 'with --wait, give up after this many seconds (exit 1)', '86400')
      .addHelpText(
        'after',
        examples(
          'dags backfill sales_daily -s 2026-01-01 -e 2026-01-31 --dry-run',
          'dags backfill sales_daily -s 2026-01-01 -e 2026-01-31 --reprocess-behavior failed --max-active-runs 4',
          'dags backfill sales_daily -s 2026-01-01 -e 2026-01-07 --run-backwards --wait',
        ),
      ),
  ).action(async (dagId: string, options: BackfillOptions, command: Command) => {
    const format = formatOf(options);
    if (!REPROCESS_BEHAVIORS.includes(options.reprocessBehavior)) {
      throw new CliUsageError(`--reprocess-behavior must be one of ${REPROCESS_BEHAVIORS.join(', ')}, not "${options.reprocessBehavior}".`);
    }
    if (options.conf !== undefined && options.dagRunConf !== undefined) throw new CliUsageError('Give --conf or --dag-run-conf, not both.');
    const pollSeconds = Number(options.pollInterval);
    const timeoutSeconds = Number(options.timeout);
    if (!(pollSeconds > 0)) throw new CliUsageError(`--poll-interval must be a positive number of seconds, not "${options.pollInterval}".`);
    if (!(timeoutSeconds > 0)) throw new CliUsageError(`--timeout must be a positive number of seconds, not "${options.timeout}".`);
    const conf = parseJsonObject(options.conf ?? options.dagRunConf, options.conf !== undefined ? '--conf' : '--dag-run-conf', '{"region": "eu"}');
    const body = {
      dag_id: dagId,
      from_date: parseInstant(options.startDate, '--start-date'),
      to_date: parseInstant(options.endDate, '--end-date'),
      run_backwards: options.runBackwards ?? false,
      dag_run_conf: conf ?? null,
      reprocess_behavior: options.reprocessBehavior,
      max_active_runs: parseWholeNumber(options.maxActiveRuns, '--max-active-runs', 1),
    };
    await withApi(command, io, async ({ client, mode, standaloneRunning }) => {
      if (options.dryRun) {
        const answer = await asUsageError(client.request<DryRunJson>('POST', `${API}/backfills/dry_run`, { body }));
        if (format === 'table') io.stderr.write(`Logical dates to be attempted (${answer.total_entries}):\n`);
        printRows(answer.backfills.map((entry) => ({ logical_date: entry.logical_date })), format, io.stdout);
        return;
      }
      const backfill = await asUsageError(client.request<BackfillJson>('POST', `${API}/backfills`, { body }));
      printRecord(backfill, format, io.stdout);
      if (mode === 'local' && !standaloneRunning && format === 'table') {
        io.stderr.write('Updraft is not running locally: the backfill runs start when you run `npm start`.\n');
      }
      if (!options.wait) return;
      await waitForBackfill(client, io, backfill, { pollMs: pollSeconds * 1000, timeoutMs: timeoutSeconds * 1000 });
    });
  });
}

/**
 * A 422 from creating a backfill means the request must change (the range, the direction, the conf):
 * the command was used wrongly, exit 2, with the API's message.
 */
async function asUsageError<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) throw new CliUsageError(error.message);
    throw error;
  }
}

/** Polls the backfill until it completes, then fails the command if one of its runs failed. */
async function waitForBackfill(client: RestClient, io: CliIo, backfill: BackfillJson, options: { pollMs: number; timeoutMs: number }): Promise<void> {
  const path = `${API}/backfills/${seg(backfill.id)}`;
  io.stderr.write(`Waiting for backfill ${backfill.id} of ${backfill.dag_id}...\n`);
  let waited = 0;
  for (;;) {
    const current = await client.request<BackfillJson>('GET', path);
    if (current.completed_at !== null) break;
    if (waited >= options.timeoutMs) {
      throw new CommandFailedError(
        `Backfill ${backfill.id} is still running after ${Math.round(waited / 1000)} s; it goes on without us. ` +
          `Follow it with \`updraft dags list-runs ${backfill.dag_id} -s ${backfill.from_date} -e ${backfill.to_date}\`, or wait longer with --timeout.`,
      );
    }
    await io.sleep(options.pollMs);
    waited += options.pollMs;
  }
  const runs = await client.listAll<DagRunJson>(dagRunsPath(backfill.dag_id), 'dag_runs', {
    run_type: ['backfill'],
    logical_date_gte: backfill.from_date,
    logical_date_lte: backfill.to_date,
  });
  const failed = runs.filter((run) => run.state === 'failed');
  io.stderr.write(`Backfill ${backfill.id} completed: ${runs.length - failed.length} run(s) succeeded, ${failed.length} failed.\n`);
  if (failed.length > 0) {
    throw new CommandFailedError(
      `${failed.length} run(s) of backfill ${backfill.id} failed: ${failed.map((run) => run.dag_run_id).join(', ')}. ` +
        `See which task failed with \`updraft tasks states-for-dag-run ${backfill.dag_id} <run_id>\`.`,
    );
  }
}
