import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, copyFixtureDags, describeResult, parseJsonOutput, runCli, tempFolder, type CliResult } from './cli-harness.ts';

interface DagRow {
  dag_id: string;
  fileloc: string;
  is_paused: boolean;
}
interface TaskStateRow {
  dag_id: string;
  task_id: string;
  state: string;
  try_number: number;
}
interface ImportErrorRow {
  filepath: string;
  line: number | null;
  error: string;
}

const STARTUP_MS = 150_000;
const POLLS = 30;

/**
 * One user session, in order: start `updraft standalone`, work with it from a second terminal (the CLI),
 * stop it with Ctrl-C, and find the state it left behind. The steps share the running standalone, so
 * they are one scenario; a failing step names what it saw.
 */
describe('updraft standalone with the CLI', { timeout: 180_000 }, () => {
  const temp = tempFolder('standalone');
  const home = join(temp.path, 'home');
  const dagsFolder = copyFixtureDags(temp.path);
  let standalone: CliProcess;
  let runId: string;

  const cli = (...args: string[]) => runCli(args, { home });
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await cli(...args, '--output', 'json');
    expect(result.code, describeResult(result)).toBe(0);
    return parseJsonOutput<T>(result);
  };
  /** Runs a command until `done` holds for its result, a bounded number of times. */
  const until = async <T>(command: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
    let last: T | undefined;
    for (let attempt = 0; attempt < POLLS; attempt++) {
      last = await command();
      if (done(last)) return last;
    }
    throw new Error(`${what} did not happen after ${POLLS} polls; last saw ${JSON.stringify(last, null, 2)}`);
  };

  beforeAll(async () => {
    standalone = new CliProcess(['standalone', '--dags-folder', dagsFolder], home);
    await standalone.waitForStdout('Updraft is running locally.', STARTUP_MS);
  }, STARTUP_MS + 10_000);

  afterAll(async () => {
    standalone?.kill();
    await standalone?.exited;
    temp.remove();
  });

  it('lists the DAGs of the watched folder', async () => {
    await standalone.waitForStdout('Press Ctrl-C to stop.', 10_000);
    expect(standalone.stdout).toMatch(/^ {2}DAGs +e2e_failing, e2e_passing$/m);
    const dags = await json<DagRow[]>('dags', 'list');
    expect(dags.map((dag) => dag.dag_id).sort()).toEqual(['e2e_failing', 'e2e_passing']);
    expect(dags.find((dag) => dag.dag_id === 'e2e_passing')).toMatchObject({ fileloc: 'passing.ts', is_paused: false });
  });

  it('triggers a run that the running scheduler and workers take to success', async () => {
    const [run] = await json<Array<{ dag_id: string; run_id: string; state: string; conf: unknown }>>(
      'dags',
      'trigger',
      'e2e_passing',
      '--conf',
      '{"source": "e2e"}',
    );
    expect(run).toMatchObject({ dag_id: 'e2e_passing', state: 'queued', conf: { source: 'e2e' } });
    expect(run!.run_id).toMatch(/^manual__/);
    runId = run!.run_id;

    const states = await until(
      () => json<TaskStateRow[]>('tasks', 'states-for-dag-run', 'e2e_passing', runId),
      (rows) => rows.length === 2 && rows.every((row) => row.state === 'success'),
      'every task of the run succeeding',
    );
    expect(states.map((row) => [row.task_id, row.try_number]).sort()).toEqual([
      ['greet', 1],
      ['shout', 1],
    ]);
  });

  it("prints a task's log", async () => {
    const result = await cli('tasks', 'logs', 'e2e_passing', runId, 'greet');
    expect(result.code, describeResult(result)).toBe(0);
    expect(result.stdout).toContain(`hello from the e2e greet task of ${runId}`);
    expect(result.stdout).toContain('Marking task as SUCCESS.');
  });

  it('shows a broken file added while it runs as an import error', async () => {
    writeFileSync(join(dagsFolder, 'broken.ts'), "import { dag } from 'updraft/sdk';\nconst oops = ;\n");
    const errors = await until(
      () => json<ImportErrorRow[]>('dags', 'list-import-errors'),
      (rows) => rows.some((row) => row.filepath === 'broken.ts'),
      'the import error of broken.ts',
    );
    expect(errors.find((row) => row.filepath === 'broken.ts')).toMatchObject({ line: 2, error: expect.stringContaining(';') });
  });

  it('refuses a second standalone on the same state folder', async () => {
    const second = await cli('standalone', '--dags-folder', dagsFolder);
    expect(second.code, describeResult(second)).not.toBe(0);
    expect(second.stderr).toContain('Updraft is already running locally');
    expect(second.stderr).toContain(`pid ${standalone.pid}`);
  });

  it('pauses a DAG', async () => {
    const result = await cli('dags', 'pause', 'e2e_passing');
    expect(result.code, describeResult(result)).toBe(0);
    expect(result.stdout).toBe('Dag: e2e_passing, paused: true\n');
  });

  it('stops cleanly on Ctrl-C', async () => {
    standalone.interrupt();
    const result: CliResult = await standalone.result(60_000);
    expect(result.code, describeResult(result)).toBe(0);
    expect(result.stdout).toContain('Stopped. State is kept in');
  });

  it('keeps its state for the CLI once it has stopped', async () => {
    const dags = await json<DagRow[]>('dags', 'list');
    expect(dags.find((dag) => dag.dag_id === 'e2e_passing')).toMatchObject({ is_paused: true });

    const states = await json<TaskStateRow[]>('tasks', 'states-for-dag-run', 'e2e_passing', runId);
    expect(states.map((row) => [row.task_id, row.state]).sort()).toEqual([
      ['greet', 'success'],
      ['shout', 'success'],
    ]);
  });
});
