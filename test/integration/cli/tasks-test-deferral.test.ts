import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addApiOptions, type CliIo } from '../../../src/cli/command-support.ts';
import { registerTasksCommands } from '../../../src/cli/commands/tasks.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { textSink } from '../../support/text-sink.ts';

/** `updraft tasks test` on tasks that defer: the trigger runs in the CLI's process and the task resumes. */

const DAG_FILE = `
import { dag, defineTrigger, task, timeDeltaTrigger } from 'updraft/sdk';

export const reportReady = defineTrigger({
  name: 'report_ready',
  poll: (kwargs) => ({ payload: { rows: kwargs.rows * 2 } }),
});

const pause = task({ taskId: 'pause' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: timeDeltaTrigger(1) });
  ctx.log.info('resumed at ' + ctx.resume.event);
  return 'rested';
});
const report = task({ taskId: 'report' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: reportReady({ rows: 21 }), method: 'collect', kwargs: { day: ctx.ds } });
  return { method: ctx.resume.method, day: ctx.resume.kwargs.day, rows: ctx.resume.event.rows };
});
const hibernate = task({ taskId: 'hibernate' }, (ctx) => {
  if (!ctx.resume) ctx.defer({ trigger: timeDeltaTrigger(86400) });
});

export default dag({ dagId: 'deferring', schedule: null }, () => { pause(); report(); hibernate(); });
`;

let dagsFolder: string;

beforeAll(async () => {
  dagsFolder = await mkdtemp(join(tmpdir(), 'cli-tasks-test-deferral-'));
  await writeFile(join(dagsFolder, 'deferring.ts'), DAG_FILE);
});
afterAll(() => rm(dagsFolder, { recursive: true, force: true }));

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: textSink((text) => (stdout += text)),
    stderr: textSink((text) => (stderr += text)),
    openApi: async () => {
      throw new Error('tasks test must not open the API');
    },
    sleep: async () => {},
    confirm: async () => null,
    readFile: async () => '',
    writeFile: async () => {},
  };
  const program = addApiOptions(new Command('updraft').exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) }));
  registerTasksCommands(program, io);
  try {
    await program.parseAsync(['node', 'updraft', 'tasks', 'test', 'deferring', ...args, '--dags-folder', dagsFolder]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: exitCodeFor(error), stdout, stderr: `${stderr}${(error as Error).message}` };
  }
}

describe('updraft tasks test with deferral', () => {
  it('waits for a timeDeltaTrigger of 1 s in-process, resumes the task and reports success', async () => {
    const result = await run(['pause']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deferring the task until its "datetime" trigger fires');
    expect(result.stdout).toMatch(/INFO resumed at \d{4}-\d\d-\d\dT/);
    expect(result.stdout).toMatch(/Task deferring\.pause: success\n$/);
  });

  it('runs a custom defineTrigger from the DAG file and resumes with its event, method and kwargs', async () => {
    const result = await run(['report', '--logical-date', '2026-04-02']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The "report_ready" trigger fired on poll 1; resuming the task.');
    expect(result.stdout).toContain('Task succeeded; it returned {"method":"collect","day":"2026-04-02","rows":42}.');
    expect(result.stdout).toMatch(/Task deferring\.report: success\n$/);
  });

  it('refuses a wait longer than --max-trigger-wait and exits 1 saying how to allow it', async () => {
    const result = await run(['hibernate', '--max-trigger-wait', '5']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Task deferring.hibernate: deferred');
    expect(result.stderr).toContain('Task deferring.hibernate did not finish (deferred)');
    expect(result.stderr).toContain('longer than --max-trigger-wait allows (5 s for the whole test)');
  });

  it('rejects a --max-trigger-wait that is not a number of seconds', async () => {
    const result = await run(['pause', '--max-trigger-wait', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-trigger-wait must be a whole number of at least 0, not "soon"');
  });
});
