import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { jsonLineLogger, silentLogger } from '../../core/ports/logger.ts';
import { loadLocalConfig } from '../../local/local-config.ts';
import { runDagOnce } from '../../local/run-dag-once.ts';
import { triggerDagRun } from '../../services/scheduler/index.ts';
import { withLocalState } from '../local-context.ts';
import { CliUsageError, parseOutputFormat, printRows } from '../output.ts';
import { registerDagsDeployCommand } from './dags-deploy.ts';

function parseConf(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new CliUsageError(`--conf must be a JSON object, e.g. --conf '{"n": 3}': ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError(`--conf must be a JSON object, e.g. --conf '{"n": 3}', not ${value}.`);
  }
  return parsed as Record<string, unknown>;
}

function parseLogicalDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new CliUsageError(`--logical-date must be an ISO-8601 date or instant, e.g. 2026-01-01 or 2026-01-01T06:00:00Z, not "${value}".`);
  }
  return date;
}

export function registerDagsCommands(program: Command): void {
  const dags = program.command('dags').description('Manage and run DAGs');
  registerDagsDeployCommand(dags);

  dags
    .command('list')
    .description('List the DAGs the DAG processor has parsed')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (options: { output: string }) => {
      const format = parseOutputFormat(options.output);
      await withLocalState(async ({ metastore }) => {
        const rows = (await metastore.listDags())
          .filter((dag) => dag.isActive)
          .map((dag) => ({
            dag_id: dag.dagId,
            fileloc: dag.fileloc,
            is_paused: dag.isPaused,
            schedule: dag.scheduleDescription,
            tags: format === 'json' ? dag.tags : dag.tags.join(','),
          }));
        printRows(rows, format);
      });
    });

  dags
    .command('list-import-errors')
    .description('List DAG files that failed to import, with the reason')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (options: { output: string }) => {
      const format = parseOutputFormat(options.output);
      await withLocalState(async ({ metastore }) => {
        const rows = (await metastore.listImportErrors()).map((error) => ({
          filepath: error.fileloc,
          line: error.line,
          error: error.message,
          timestamp: error.timestamp,
        }));
        printRows(rows, format);
      });
    });

  dags
    .command('trigger <dag_id>')
    .description('Create a manual run of a DAG')
    .option('-c, --conf <json>', 'JSON object passed to the run as its conf')
    .option('-l, --logical-date <iso>', 'logical date of the run (default: now)')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (dagId: string, options: { conf?: string; logicalDate?: string; output: string }) => {
      const format = parseOutputFormat(options.output);
      const conf = parseConf(options.conf);
      const logicalDate = parseLogicalDate(options.logicalDate);
      await withLocalState(async (state) => {
        const run = await triggerDagRun(state.triggerDeps, { dagId, conf, logicalDate });
        printRows(
          [{ dag_id: run.dagId, run_id: run.runId, state: run.state, logical_date: run.logicalDate, conf: format === 'json' ? run.conf : JSON.stringify(run.conf) }],
          format,
        );
        if (!state.standaloneRunning && format === 'table') {
          process.stderr.write('Updraft is not running locally: the run is queued and starts when you run `npm start`.\n');
        }
      });
    });

  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    dags
      .command(`${name} <dag_id>`)
      .description(paused ? 'Pause a DAG: the scheduler creates no scheduled runs for it' : 'Unpause a DAG')
      .action(async (dagId: string) => {
        await withLocalState(async ({ metastore }) => {
          const dag = await metastore.setDagPaused(dagId, paused);
          process.stdout.write(`Dag: ${dag.dagId}, paused: ${dag.isPaused}\n`);
        });
      });
  }

  dags
    .command('test <dag_id>')
    .description('Run one run of a DAG to the end on a throw-away local stack; exit 0 if it succeeded, 1 if not')
    .option('-l, --logical-date <iso>', 'logical date of the run (default: now)')
    .option('-c, --conf <json>', 'JSON object passed to the run as its conf')
    .option('--dags-folder <dir>', 'folder with the DAG files (default: UPDRAFT_DAGS_FOLDER or ./dags)')
    .option('--timeout <seconds>', 'give up after this many seconds', '600')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--verbose', 'show the scheduler and workers log lines')
    .action(
      async (
        dagId: string,
        options: { logicalDate?: string; conf?: string; dagsFolder?: string; timeout: string; output: string; verbose?: boolean },
      ) => {
        const format = parseOutputFormat(options.output);
        const timeoutSeconds = Number(options.timeout);
        if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new CliUsageError('--timeout must be a positive number of seconds.');
        const config = loadLocalConfig({ dagsFolder: options.dagsFolder });
        const progress = format === 'table' ? process.stderr : null;
        const result = await runDagOnce({
          dagId,
          dagsFolder: config.dagsFolder,
          logicalDate: parseLogicalDate(options.logicalDate),
          conf: parseConf(options.conf),
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
