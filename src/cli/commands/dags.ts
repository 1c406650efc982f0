import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { jsonLineLogger, silentLogger } from '../../core/ports/logger.ts';
import { loadLocalConfig } from '../../local/local-config.ts';
import { runDagOnce } from '../../local/run-dag-once.ts';
import { API, confirmOrAbort, defaultCliIo, examples, formatOf, outputOption, parseInstant, parseJsonObject, seg, withApi, type CliIo } from '../command-support.ts';
import { CliUsageError, printRecord, printRows } from '../output.ts';
import { registerDagsDeployCommand } from './dags-deploy.ts';
import { registerDagRunCommands } from './dags-runs.ts';
import { registerDagsBackfillCommand } from './dags-backfill.ts';

/** The fields of Airflow's DAGResponse the commands print. */
export interface DagJson {
  dag_id: string;
  fileloc: string;
  is_paused: boolean;
  is_stale: boolean;
  timetable_summary: string | null;
  tags: Array<{ name: string }>;
  last_parsed_time: string | null;
  has_import_errors: boolean;
  next_dagrun_logical_date: string | null;
  next_dagrun_run_after: string | null;
  [field: string]: unknown;
}

interface ImportErrorJson {
  filename: string;
  stack_trace: string;
  timestamp: string;
}

export const dagPath = (dagId: string) => `${API}/dags/${seg(dagId)}`;

export function registerDagsCommands(program: Command, io: CliIo = defaultCliIo): void {
  const dags = program.command('dags').description('Manage and run DAGs');
  registerDagsDeployCommand(dags);

  outputOption(
    dags
      .command('list')
      .description('List the DAGs the DAG processor has parsed')
      .addHelpText('after', examples('dags list', 'dags list -o json', 'dags list --api-url https://updraft.example.com')),
  ).action(async (options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const rows = (await client.listAll<DagJson>(`${API}/dags`, 'dags')).map((dag) => ({
        dag_id: dag.dag_id,
        fileloc: dag.fileloc,
        is_paused: dag.is_paused,
        schedule: dag.timetable_summary,
        tags: format === 'table' ? dag.tags.map((tag) => tag.name).join(',') : dag.tags.map((tag) => tag.name),
      }));
      printRows(rows, format, io.stdout);
    });
  });

  outputOption(
    dags
      .command('list-import-errors')
      .description('List DAG files that failed to import, with the reason')
      .addHelpText('after', examples('dags list-import-errors', 'dags list-import-errors -o yaml')),
  ).action(async (options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const rows = (await client.listAll<ImportErrorJson>(`${API}/importErrors`, 'import_errors')).map((error) => {
        // The trace starts with "<file>:<line>" when the line is known.
        const match = /^(.*):(\d+)\n([\s\S]*)$/.exec(error.stack_trace);
        const located = match && match[1] === error.filename;
        return {
          filepath: error.filename,
          line: located ? Number(match[2]) : null,
          error: located ? match[3]! : error.stack_trace,
          timestamp: error.timestamp,
        };
      });
      printRows(rows, format, io.stdout);
    });
  });

  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    dags
      .command(`${name} <dag_id>`)
      .description(paused ? 'Pause a DAG: the scheduler creates no scheduled runs for it' : 'Unpause a DAG')
      .addHelpText('after', examples(`dags ${name} sales_daily`))
      .action(async (dagId: string, _options: unknown, command: Command) => {
        await withApi(command, io, async ({ client }) => {
          const dag = await client.request<DagJson>('PATCH', dagPath(dagId), { query: { update_mask: 'is_paused' }, body: { is_paused: paused } });
          io.stdout.write(`Dag: ${dag.dag_id}, paused: ${dag.is_paused}\n`);
        });
      });
  }

  outputOption(
    dags
      .command('show <dag_id>')
      .description("Show a DAG's details: schedule, next run, latest version, params...")
      .addHelpText('after', examples('dags show sales_daily', 'dags show sales_daily -o json')),
  ).action(async (dagId: string, options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const details = await client.request<Record<string, unknown>>('GET', `${dagPath(dagId)}/details`);
      if (format !== 'table') {
        printRecord(details, format, io.stdout);
        return;
      }
      // A DAG has too many fields for one row: one line per field.
      printRows(
        Object.entries(details).map(([field, value]) => ({ field, value: field === 'tags' ? (value as Array<{ name: string }>).map((tag) => tag.name).join(',') : value })),
        format,
        io.stdout,
      );
    });
  });

  dags
    .command('delete <dag_id>')
    .description('Delete a DAG and all its runs, task instances and history (its file stays: remove it too, or it comes back)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', examples('dags delete old_dag --yes'))
    .action(async (dagId: string, options: { yes?: boolean }, command: Command) => {
      if (!(await confirmOrAbort(io, options.yes, `Delete DAG "${dagId}" and all its runs?`))) return;
      await withApi(command, io, async ({ client }) => {
        await client.request('DELETE', dagPath(dagId));
        io.stdout.write(`Deleted DAG ${dagId}.\n`);
      });
    });

  dags
    .command('next-execution <dag_id>')
    .description('Print the logical date of the next run the scheduler will create ("None" when it plans none)')
    .addHelpText('after', examples('dags next-execution sales_daily'))
    .action(async (dagId: string, _options: unknown, command: Command) => {
      await withApi(command, io, async ({ client }) => {
        const dag = await client.request<DagJson>('GET', dagPath(dagId));
        if (dag.is_paused) io.stderr.write('[INFO] Please be reminded this DAG is PAUSED now.\n');
        io.stdout.write(`${dag.next_dagrun_logical_date ?? 'None'}\n`);
      });
    });

  outputOption(
    dags
      .command('report')
      .description('Report the DAG files the DAG processor loaded: DAGs per file, when parsed, import errors')
      .addHelpText('after', examples('dags report', 'dags report -o json')),
  ).action(async (options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const byFile = new Map<string, DagJson[]>();
      for (const dag of await client.listAll<DagJson>(`${API}/dags`, 'dags')) byFile.set(dag.fileloc, [...(byFile.get(dag.fileloc) ?? []), dag]);
      const rows = [...byFile.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([file, fileDags]) => ({
          file,
          dag_num: fileDags.length,
          dags: format === 'table' ? fileDags.map((dag) => dag.dag_id).join(',') : fileDags.map((dag) => dag.dag_id),
          last_parsed_time: fileDags.map((dag) => dag.last_parsed_time ?? '').sort().at(-1) || null,
          has_import_errors: fileDags.some((dag) => dag.has_import_errors),
        }));
      printRows(rows, format, io.stdout);
    });
  });

  registerDagRunCommands(dags, io);
  registerDagsBackfillCommand(dags, io);

  dags
    .command('test <dag_id>')
    .description('Run one run of a DAG to the end on a throw-away local stack; exit 0 if it succeeded, 1 if not (local only: ignores --api-url)')
    .option('-l, --logical-date <iso>', 'logical date of the run (default: now)')
    .option('-c, --conf <json>', 'JSON object passed to the run as its conf')
    .option('--dags-folder <dir>', 'folder with the DAG files (default: UPDRAFT_DAGS_FOLDER or ./dags)')
    .option('--timeout <seconds>', 'give up after this many seconds', '600')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--verbose', 'show the scheduler and workers log lines')
    .addHelpText('after', examples('dags test etl', "dags test etl --logical-date 2026-01-01 --conf '{\"n\": 3}' -o json"))
    .action(
      async (
        dagId: string,
        options: { logicalDate?: string; conf?: string; dagsFolder?: string; timeout: string; output: string; verbose?: boolean },
      ) => {
        const format = formatOf(options);
        if (format === 'yaml') throw new CliUsageError('dags test prints a table or json.');
        const timeoutSeconds = Number(options.timeout);
        if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new CliUsageError('--timeout must be a positive number of seconds.');
        const config = loadLocalConfig({ dagsFolder: options.dagsFolder });
        const progress = format === 'table' ? process.stderr : null;
        const logicalDate = parseInstant(options.logicalDate, '--logical-date');
        const result = await runDagOnce({
          dagId,
          dagsFolder: config.dagsFolder,
          logicalDate: logicalDate === undefined ? undefined : new Date(logicalDate),
          conf: parseJsonObject(options.conf, '--conf', '{"n": 3}'),
          timeoutSeconds,
          logger: options.verbose ? jsonLineLogger({ service: 'dags-test' }) : silentLogger,
          workerOutput: options.verbose ? process.stderr : devNull(),
          onTaskState: (ti) => progress?.write(`  ${ti.taskId}: ${ti.state}${ti.tryNumber > 1 ? ` (try ${ti.tryNumber})` : ''}\n`),
        });
        const taskInstances = result.taskInstances.map((ti) => ({ task_id: ti.taskId, state: ti.state, try_number: ti.tryNumber }));
        if (format === 'json') {
          process.stdout.write(
            `${JSON.stringify({ dag_id: result.run.dagId, run_id: result.run.runId, state: result.run.state, task_instances: taskInstances })}\n`,
          );
        } else {
          process.stdout.write(`\nDAG run ${result.run.runId}: ${result.run.state}\n\n`);
          printRows(taskInstances, 'table');
          for (const [taskId, log] of Object.entries(result.failureLogs)) {
            process.stdout.write(`\n--- log of ${taskId} (last attempt) ---\n${log}`);
          }
        }
        process.exitCode = result.run.state === 'success' ? 0 : 1;
      },
    );
}

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
