import type { Command } from 'commander';
import { NotFoundError } from '../../core/errors.ts';
import { executorLogKey, taskLogKey } from '../../core/model/workload.ts';
import { withLocalState } from '../local-context.ts';
import { CliUsageError, parseOutputFormat, printRows } from '../output.ts';

export function registerTasksCommands(program: Command): void {
  const tasks = program.command('tasks').description('Inspect task instances');

  tasks
    .command('states-for-dag-run <dag_id> <run_id>')
    .description('Show the state of every task instance of a DAG run')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (dagId: string, runId: string, options: { output: string }) => {
      const format = parseOutputFormat(options.output);
      await withLocalState(async ({ metastore }) => {
        const run = await metastore.getDagRun({ dagId, runId });
        if (!run) {
          const recent = (await metastore.listDagRuns(dagId, { limit: 5 })).map((r) => r.runId);
          throw new NotFoundError(
            `DAG run "${runId}" of DAG "${dagId}" was not found.` + (recent.length ? ` Recent runs: ${recent.join(', ')}.` : ''),
          );
        }
        const rows = (await metastore.listTaskInstances({ dagId, runId })).map((ti) => ({
          dag_id: ti.dagId,
          logical_date: run.logicalDate,
          task_id: ti.taskId,
          state: ti.state,
          try_number: ti.tryNumber,
          start_date: ti.startDate,
          end_date: ti.endDate,
        }));
        printRows(rows, format);
      });
    });

  tasks
    .command('logs <dag_id> <run_id> <task_id>')
    .description("Print a task instance's log (the latest attempt unless --try is given)")
    .option('-t, --try <n>', 'attempt number')
    .option('--map-index <n>', 'map index of a mapped task', '-1')
    .action(async (dagId: string, runId: string, taskId: string, options: { try?: string; mapIndex: string }) => {
      const mapIndex = Number(options.mapIndex);
      await withLocalState(async ({ metastore, objectStore }) => {
        const ti = await metastore.getTaskInstance({ dagId, runId, taskId, mapIndex });
        if (!ti) throw new NotFoundError(`Task instance ${dagId}/${runId}/${taskId} was not found.`);
        const tryNumber = options.try === undefined ? ti.tryNumber : Number(options.try);
        if (!Number.isInteger(tryNumber) || tryNumber < 1) {
          throw new CliUsageError(ti.tryNumber === 0 ? `Task ${taskId} has not run yet.` : `--try must be a whole number from 1 to ${ti.tryNumber}.`);
        }
        const log = await objectStore.getText(taskLogKey({ dagId, runId, taskId, mapIndex, tryNumber }));
        if (log === null) {
          throw new NotFoundError(
            `No log for attempt ${tryNumber} of ${taskId}` +
              (tryNumber > ti.tryNumber ? ` (it has had ${ti.tryNumber} attempt(s))` : ' yet: it may still be running') +
              '.',
          );
        }
        process.stdout.write(log.endsWith('\n') ? log : `${log}\n`);
        // What the execution environment itself printed (a child process, a container), when its executor keeps it.
        const environment = await objectStore.getText(executorLogKey({ dagId, runId, taskId, mapIndex, tryNumber }));
        if (environment !== null) {
          process.stdout.write(`\n----- Output of the execution environment (executor "${ti.executor ?? 'default'}") -----\n`);
          process.stdout.write(environment.endsWith('\n') ? environment : `${environment}\n`);
        }
      });
    });
}
