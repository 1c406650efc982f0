import { Command } from 'commander';
import { textSink } from '../../support/text-sink.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBackfillStore } from '../../../src/aws/dynamodb/backfill-store.ts';
import { DynamoDbPoolStore } from '../../../src/aws/dynamodb/pool-store.ts';
import { DynamoDbUserStore } from '../../../src/aws/dynamodb/user-store.ts';
import { localApiConnection } from '../../../src/cli/api-connection.ts';
import { addApiOptions, type CliIo } from '../../../src/cli/command-support.ts';
import { registerDagsCommands } from '../../../src/cli/commands/dags.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { systemClock } from '../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../src/core/ports/logger.ts';
import { BACKFILL_ENDPOINTS } from '../../../src/http/rest-api/endpoints/backfills.ts';
import { DAG_RUN_ENDPOINTS } from '../../../src/http/rest-api/endpoints/dag-runs.ts';
import { progressBackfills } from '../../../src/services/backfill/backfill-tick-step.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../support/emulator-storage.ts';
import { saveSerializedDag } from '../../support/parsed-dags.ts';
import { serializedDag, serializedTask } from '../../support/serialized-dags.ts';

/** `updraft dags backfill` in local mode, over create_backfill and create_backfill_dry_run. */

let storage: EmulatorStorage;
let backfills: DynamoDbBackfillStore;

beforeAll(async () => {
  storage = await createEmulatorStorage('cli-backfill');
  backfills = new DynamoDbBackfillStore(storage.dynamo, storage.tableName);
  for (const dagId of ['cli_dry', 'cli_create', 'cli_wait']) {
    const dag = serializedDag(dagId, [serializedTask('work')], {
      timetable: { type: 'cron_data_interval', cron: '0 0 * * *', timezone: 'UTC' },
      scheduleDescription: '@daily',
      startDate: '2024-01-01T00:00:00.000Z',
    });
    await saveSerializedDag(storage.metastore, dag, new Date('2024-06-01T00:00:00Z'));
  }
  const past = serializedDag('cli_past', [serializedTask('work', [], { waitForDownstream: true }), serializedTask('report', ['work'])], {
    timetable: { type: 'cron_data_interval', cron: '0 0 * * *', timezone: 'UTC' },
    scheduleDescription: '@daily',
    startDate: '2024-01-01T00:00:00.000Z',
  });
  await saveSerializedDag(storage.metastore, past, new Date('2024-06-01T00:00:00Z'));
});
afterAll(() => storage?.close());

async function run(args: string[], sleep: () => Promise<void> = async () => {}) {
  let stdout = '';
  let stderr = '';
  const sink = textSink;
  const io: CliIo = {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    openApi: async () =>
      localApiConnection({
        metastore: storage.metastore,
        objectStore: storage.objectStore,
        pools: new DynamoDbPoolStore(storage.dynamo, storage.tableName),
        backfills,
        users: new DynamoDbUserStore(storage.dynamo, storage.tableName),
        jwtSecret: 'backfill-cli-test-secret-of-at-least-32-chars',
        home: '/state/.updraft',
        standaloneRunning: true,
        endpoints: [...DAG_RUN_ENDPOINTS, ...BACKFILL_ENDPOINTS],
      }),
    sleep,
    confirm: async () => null,
    readFile: async () => '',
    writeFile: async () => {},
  };
  const program = addApiOptions(new Command('updraft').exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) }));
  registerDagsCommands(program, io);
  try {
    await program.parseAsync(['node', 'updraft', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: exitCodeFor(error), stdout, stderr: `${stderr}${(error as Error).message}` };
  }
}

describe('updraft dags backfill', () => {
  it('--dry-run prints the logical dates that would run, in start order, and creates nothing', async () => {
    const result = await run(['dags', 'backfill', 'cli_dry', '-s', '2024-01-01', '-e', '2024-01-03', '--run-backwards', '--dry-run', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { logical_date: '2024-01-03T00:00:00.000Z' },
      { logical_date: '2024-01-02T00:00:00.000Z' },
      { logical_date: '2024-01-01T00:00:00.000Z' },
    ]);
    expect(await storage.metastore.listDagRuns('cli_dry')).toEqual([]);
  });

  it('creates the backfill and its queued runs, and prints it', async () => {
    const result = await run(['dags', 'backfill', 'cli_create', '-s', '2024-01-01', '-e', '2024-01-02', '--max-active-runs', '1', '--conf', '{"n": 3}', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ dag_id: 'cli_create', max_active_runs: 1, dag_run_conf: { n: 3 }, reprocess_behavior: 'none', completed_at: null });
    const runs = await storage.metastore.listDagRuns('cli_create');
    expect(runs.map((r) => `${r.runId}:${r.state}:${JSON.stringify(r.conf)}`)).toEqual([
      'backfill__2024-01-02T00:00:00+00:00:queued:{"n":3}',
      'backfill__2024-01-01T00:00:00+00:00:queued:{"n":3}',
    ]);
    const again = await run(['dags', 'backfill', 'cli_create', '-s', '2024-01-01', '-e', '2024-01-02']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('There is already a running backfill for dag cli_create');
  });

  it('refuses to run a DAG that depends on the past backwards: exit 2 with the reason, dry run too, nothing created', async () => {
    for (const extra of [['--dry-run'], []]) {
      const result = await run(['dags', 'backfill', 'cli_past', '-s', '2024-01-01', '-e', '2024-01-03', '--run-backwards', ...extra]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Backfill cannot be run in reverse when the DAG has tasks where depends_on_past=True (work)');
      expect(result.stderr).toContain('leave out run_backwards (--run-backwards)');
    }
    expect(await storage.metastore.listDagRuns('cli_past')).toEqual([]);
    expect(await backfills.listBackfills('cli_past')).toEqual([]);
  });

  it('refuses a bad reprocess behavior before calling the API', async () => {
    const result = await run(['dags', 'backfill', 'cli_create', '-s', '2024-01-01', '-e', '2024-01-02', '--reprocess-behavior', 'sometimes']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--reprocess-behavior must be one of none, failed, completed');
  });

  it('--wait follows the backfill until it completes and fails when one of its runs failed', async () => {
    // What the scheduler would do while the CLI waits: the runs end (one fails) and the tick completes the backfill.
    const sleep = async () => {
      for (const dagRun of await storage.metastore.listDagRuns('cli_wait')) {
        const state = dagRun.logicalDate.toISOString().startsWith('2024-01-01') ? 'failed' : 'success';
        await storage.metastore.updateDagRun(dagRun, { state, endDate: systemClock.now() });
      }
      await progressBackfills({ metastore: storage.metastore, logger: silentLogger, clock: systemClock, backfills }, new Map(), new Map(), systemClock.now(), {
        runsStarted: 0,
        errors: 0,
      });
    };
    const result = await run(['dags', 'backfill', 'cli_wait', '-s', '2024-01-01', '-e', '2024-01-02', '--wait', '--poll-interval', '1'], sleep);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('completed: 1 run(s) succeeded, 1 failed');
    expect(result.stderr).toContain('backfill__2024-01-01T00:00:00+00:00');
  });
});
