import type { Command } from 'commander';
import { loadLocalConfig } from '../../local/local-config.ts';
import { DEFAULT_MAX_TRIGGER_WAIT_SECONDS, runTaskOnce } from '../../local/run-task-once.ts';
import { API, CommandFailedError, commaList, confirmOrAbort, defaultCliIo, examples, formatOf, outputOption, parseInstant, parseWholeNumber, seg, withApi, type CliIo } from '../command-support.ts';
import { CliUsageError, printRows } from '../output.ts';
import { ApiError, type RestClient } from '../rest-client.ts';
import { dagRunsPath, type DagRunJson } from './dags-runs.ts';

interface TaskInstanceJson {
  dag_id: string;
  dag_run_id: string;
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  start_date: string | null;
  end_date: string | null;
  logical_date?: string | null;
}

const runPath = (dagId: string, runId: string) => `${dagRunsPath(dagId)}/${seg(runId)}`;

const MAP_INDEX_HELP = 'map index of a mapped task instance (-1: the task is not mapped)';

/** `--map-index`: -1 (Airflow's "not mapped") or a map index. */
function parseMapIndex(value: string): number {
  const mapIndex = Number(value);
  if (!/^-?\d+$/.test(value) || mapIndex < -1) throw new CliUsageError(`--map-index must be -1 (not mapped) or a map index, not "${value}".`);
  return mapIndex;
}

/** One task instance; a mapped task asked for without --map-index is told how to name one. */
async function getTaskInstance(client: RestClient, dagId: string, runId: string, taskId: string, mapIndex: number): Promise<TaskInstanceJson> {
  const tiPath = `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}`;
  try {
    return await client.request<TaskInstanceJson>('GET', mapIndex >= 0 ? `${tiPath}/${mapIndex}` : tiPath);
  } catch (error) {
    if (mapIndex === -1 && error instanceof ApiError && error.status === 404 && String(error.detail).includes('is mapped')) {
      throw new CliUsageError(
        `Task ${taskId} is mapped: give --map-index <n>. List its instances with \`updraft tasks list-mapped ${dagId} ${runId} ${taskId}\`.`,
      );
    }
    throw error;
  }
}

const instanceRow = (ti: TaskInstanceJson) => ({
  map_index: ti.map_index,
  state: ti.state ?? 'none',
  try_number: ti.try_number,
  start_date: ti.start_date,
  end_date: ti.end_date,
});

/** The fields of Airflow's TaskResponse that `tasks list` prints. */
interface TaskJson {
  task_id: string;
  operator_name: string | null;
  trigger_rule: string | null;
  downstream_task_ids: string[] | null;
}

export function registerTasksCommands(program: Command, io: CliIo = defaultCliIo): void {
  const tasks = program.command('tasks').description('List tasks, inspect and clear task instances');

  outputOption(
    tasks
      .command('list <dag_id>')
      .description("List the tasks of a DAG's latest version (table: one task id a line, as Airflow prints them)")
      .addHelpText('after', examples('tasks list sales_daily', 'tasks list sales_daily -o json')),
  ).action(async (dagId: string, options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const answer = await client.request<{ tasks: TaskJson[] }>('GET', `${API}/dags/${seg(dagId)}/tasks`);
      if (format === 'table') {
        io.stdout.write(answer.tasks.map((task) => `${task.task_id}\n`).join(''));
        return;
      }
      printRows(
        answer.tasks.map((task) => ({
          task_id: task.task_id,
          operator: task.operator_name,
          trigger_rule: task.trigger_rule,
          downstream_task_ids: task.downstream_task_ids ?? [],
        })),
        format,
        io.stdout,
      );
    });
  });

  outputOption(
    tasks
      .command('states-for-dag-run <dag_id> <run_id>')
      .description('Show the state of every task instance of a DAG run')
      .addHelpText('after', examples('tasks states-for-dag-run sales_daily manual__2026-01-01T00:00:00+00:00', 'tasks states-for-dag-run sales_daily <run_id> -o json')),
  ).action(async (dagId: string, runId: string, options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const run = await client.request<DagRunJson>('GET', runPath(dagId, runId));
      const instances = await client.listAll<TaskInstanceJson>(`${runPath(dagId, runId)}/taskInstances`, 'task_instances');
      printRows(
        instances.map((ti) => ({
          dag_id: ti.dag_id,
          logical_date: run.logical_date,
          task_id: ti.task_id,
          // Every row has the column (a table takes its columns from the first row); -1: not mapped.
          map_index: ti.map_index,
          state: ti.state ?? 'none',
          try_number: ti.try_number,
          start_date: ti.start_date,
          end_date: ti.end_date,
        })),
        format,
        io.stdout,
      );
    });
  });

  tasks
    .command('test <dag_id> <task_id>')
    .description(
      'Run one task in this process, without checking its dependencies and without recording any state; prints its log, ' +
        'exits 1 if it failed or did not finish (local only: ignores --api-url; upstream XComs read as null). A task that defers ' +
        'has its trigger run here and resumes; a rescheduled sensor pokes again when due',
    )
    .option('-l, --logical-date <iso>', 'logical date of the test run (default: now)')
    .option('--dags-folder <dir>', 'folder with the DAG files (default: UPDRAFT_DAGS_FOLDER or ./dags)')
    .option(
      '--max-trigger-wait <seconds>',
      `the longest the test waits in total for triggers and reschedules; a longer wait is refused (default ${DEFAULT_MAX_TRIGGER_WAIT_SECONDS})`,
    )
    .addHelpText('after', examples('tasks test etl extract', 'tasks test etl load --logical-date 2026-01-01', 'tasks test etl wait_for_file --max-trigger-wait 300'))
    .action(async (dagId: string, taskId: string, options: { logicalDate?: string; dagsFolder?: string; maxTriggerWait?: string }) => {
      const logicalDate = parseInstant(options.logicalDate, '--logical-date');
      const maxTriggerWaitSeconds = options.maxTriggerWait === undefined ? undefined : parseWholeNumber(options.maxTriggerWait, '--max-trigger-wait', 0);
      const result = await runTaskOnce({
        dagId,
        taskId,
        dagsFolder: loadLocalConfig({ dagsFolder: options.dagsFolder }).dagsFolder,
        logicalDate: logicalDate === undefined ? undefined : new Date(logicalDate),
        maxTriggerWaitSeconds,
      });
      io.stdout.write(result.log);
      io.stdout.write(`Task ${dagId}.${taskId}: ${result.state}\n`);
      if (result.state === 'failed') throw new CommandFailedError(`Task ${dagId}.${taskId} failed; its log is above.`);
      if (result.unfinished) throw new CommandFailedError(`Task ${dagId}.${taskId} did not finish (${result.state}): ${result.unfinished}`);
    });

  tasks
    .command('logs <dag_id> <run_id> <task_id>')
    .description("Print a task instance's log (the latest attempt unless --try is given), then its execution environment's output")
    .option('-t, --try <n>', 'attempt number')
    .option('-m, --map-index <n>', MAP_INDEX_HELP, '-1')
    .addHelpText(
      'after',
      examples('tasks logs sales_daily <run_id> extract', 'tasks logs sales_daily <run_id> extract --try 1', 'tasks logs sales_daily <run_id> process --map-index 3'),
    )
    .action(async (dagId: string, runId: string, taskId: string, options: { try?: string; mapIndex: string }, command: Command) => {
      const mapIndex = parseMapIndex(options.mapIndex);
      await withApi(command, io, async ({ client }) => {
        const tiPath = `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}`;
        let tryNumber: number;
        if (options.try === undefined) {
          const ti = await getTaskInstance(client, dagId, runId, taskId, mapIndex);
          if (ti.try_number < 1) throw new CliUsageError(`Task ${taskId} has not run yet (state ${ti.state ?? 'none'}): there is no log.`);
          tryNumber = ti.try_number;
        } else {
          tryNumber = parseWholeNumber(options.try, '--try', 1);
        }
        const log = await client.request<string>('GET', `${tiPath}/logs/${tryNumber}`, {
          query: { full_content: true, map_index: mapIndex },
          accept: 'text',
        });
        io.stdout.write(log === '' || log.endsWith('\n') ? log : `${log}\n`);
      });
    });

  tasks
    .command('state <dag_id> <task_id> <run_id>')
    .description("Print a task instance's state (Airflow's `tasks state`; \"None\" when it has none yet)")
    .option('-m, --map-index <n>', MAP_INDEX_HELP, '-1')
    .addHelpText('after', examples('tasks state sales_daily extract <run_id>', 'tasks state sales_daily process <run_id> --map-index 2'))
    .action(async (dagId: string, taskId: string, runId: string, options: { mapIndex: string }, command: Command) => {
      const mapIndex = parseMapIndex(options.mapIndex);
      await withApi(command, io, async ({ client }) => {
        const ti = await getTaskInstance(client, dagId, runId, taskId, mapIndex);
        io.stdout.write(`${ti.state ?? 'None'}\n`);
      });
    });

  outputOption(
    tasks
      .command('list-mapped <dag_id> <run_id> <task_id>')
      .description('List the mapped instances of a mapped task in a DAG run, by map index')
      .option('--state <state>', 'only instances in this state (no_status for none)')
      .addHelpText('after', examples('tasks list-mapped sales_daily <run_id> process', 'tasks list-mapped sales_daily <run_id> process --state failed -o json')),
  ).action(async (dagId: string, runId: string, taskId: string, options: { state?: string; output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async ({ client }) => {
      const path = `${runPath(dagId, runId)}/taskInstances/${seg(taskId)}/listMapped`;
      const instances = await client.listAll<TaskInstanceJson>(path, 'task_instances', { state: options.state, order_by: 'map_index' });
      printRows(instances.map(instanceRow), format, io.stdout);
    });
  });

  outputOption(
    tasks
      .command('clear <dag_id>')
      .description('Clear task instances so the scheduler runs them again (by default only failed ones)')
      .option('-t, --task-ids <ids>', 'comma-separated task ids (default: every task)')
      .option('-r, --run-id <id>', 'only this DAG run')
      .option('-s, --start-date <iso>', 'runs with a logical date on or after this')
      .option('-e, --end-date <iso>', 'runs with a logical date on or before this')
      .option('--all-states', 'clear task instances in any state, not only failed ones')
      .option('--only-running', 'clear only running task instances')
      .option('-u, --upstream', 'also clear the upstream tasks')
      .option('-d, --downstream', 'also clear the downstream tasks')
      .option('--dry-run', 'list what would be cleared and change nothing')
      .option('-y, --yes', 'do not ask for confirmation')
      .addHelpText(
        'after',
        examples('tasks clear sales_daily --run-id <run_id> --yes', 'tasks clear sales_daily -t load -d -s 2026-01-01 -e 2026-01-31 --dry-run'),
      ),
  ).action(
    async (
      dagId: string,
      options: {
        taskIds?: string;
        runId?: string;
        startDate?: string;
        endDate?: string;
        allStates?: boolean;
        onlyRunning?: boolean;
        upstream?: boolean;
        downstream?: boolean;
        dryRun?: boolean;
        yes?: boolean;
        output: string;
      },
      command: Command,
    ) => {
      const format = formatOf(options);
      if (options.runId && (options.startDate || options.endDate)) throw new CliUsageError('Give --run-id or --start-date/--end-date, not both.');
      const body = {
        dag_run_id: options.runId ?? null,
        start_date: parseInstant(options.startDate, '--start-date') ?? null,
        end_date: parseInstant(options.endDate, '--end-date') ?? null,
        task_ids: commaList(options.taskIds) ?? null,
        only_failed: !options.allStates && !options.onlyRunning,
        only_running: Boolean(options.onlyRunning),
        include_upstream: Boolean(options.upstream),
        include_downstream: Boolean(options.downstream),
      };
      if (!body.dag_run_id && !body.start_date && !body.end_date) {
        throw new CliUsageError('Say which runs to clear: --run-id <id>, or --start-date and/or --end-date.');
      }
      await withApi(command, io, async ({ client }) => {
        const path = `${API}/dags/${seg(dagId)}/clearTaskInstances`;
        const rowsOf = (answer: { task_instances: TaskInstanceJson[] }) =>
          answer.task_instances.map((ti) => ({ dag_id: ti.dag_id, run_id: ti.dag_run_id, task_id: ti.task_id, map_index: ti.map_index, state: ti.state ?? 'none' }));
        const planned = await client.request<{ task_instances: TaskInstanceJson[] }>('POST', path, { body: { ...body, dry_run: true } });
        if (options.dryRun || planned.task_instances.length === 0) {
          printRows(rowsOf(planned), format, io.stdout);
          return;
        }
        if (!options.yes) {
          printRows(rowsOf(planned), 'table', io.stderr);
          if (!(await confirmOrAbort(io, false, `Clear these ${planned.task_instances.length} task instance(s)?`))) return;
        }
        const cleared = await client.request<{ task_instances: TaskInstanceJson[] }>('POST', path, { body: { ...body, dry_run: false } });
        printRows(rowsOf(cleared), format, io.stdout);
      });
    },
  );
}
