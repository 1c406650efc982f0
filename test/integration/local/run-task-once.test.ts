import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTaskOnce } from '../../../src/local/run-task-once.ts';

/** `updraft tasks test`: one task run in-process from the DAG files, nothing recorded anywhere. */

let dagsFolder: string;

const ETL = `
import { bash, dag, task } from 'updraft/sdk';

const extract = task({ taskId: 'extract' }, async (ctx) => {
  ctx.log.info('region ' + ctx.params.region + ' on ' + ctx.ds);
  await ctx.ti.xcomPush('rows', 42);
  return { rows: await ctx.ti.xcomPull('extract', 'rows'), upstream: await ctx.ti.xcomPull('nothing_ran') };
});
const load = task({ taskId: 'load' }, (ctx, data: unknown) => {
  ctx.log.info('got ' + JSON.stringify(data) + ' with ' + process.env.UPDRAFT_VAR_TARGET);
  return ctx.variables.get('target');
});
const broken = task({ taskId: 'broken' }, () => {
  throw new Error('the warehouse is down');
});

export default dag({ dagId: 'etl', schedule: '@daily', startDate: new Date('2026-01-01T00:00:00Z'), params: { region: 'eu' } }, () => {
  load(extract());
  broken();
  bash({ taskId: 'shout', bashCommand: 'echo "day {{ ds }}"' });
});
`;

beforeAll(async () => {
  dagsFolder = await mkdtemp(join(tmpdir(), 'tasks-test-dags-'));
  await mkdir(join(dagsFolder, 'sub'));
  await writeFile(join(dagsFolder, 'sub', 'etl.ts'), ETL);
  await writeFile(join(dagsFolder, 'other.ts'), `import { dag, empty } from 'updraft/sdk';\nexport const other = dag({ dagId: 'other', schedule: null }, () => { empty({ taskId: 'noop' }); });\n`);
});
afterAll(() => rm(dagsFolder, { recursive: true, force: true }));

describe('runTaskOnce (updraft tasks test)', () => {
  it('runs one TaskFlow task with the DAG params and the logical date; XComs stay in memory, upstream ones are absent', async () => {
    const result = await runTaskOnce({ dagId: 'etl', taskId: 'extract', dagsFolder, logicalDate: new Date('2026-02-03T00:00:00Z'), env: {} });
    expect(result.state).toBe('success');
    expect(result.xcoms).toEqual({ rows: 42, return_value: { rows: 42, upstream: null } });
    expect(result.log).toContain('INFO region eu on 2026-02-03');
    expect(result.log).toContain('dependencies are not checked and no state is recorded');
  });

  it('runs a downstream task without its upstream: the XCom argument is null; variables come from the environment', async () => {
    const result = await runTaskOnce({ dagId: 'etl', taskId: 'load', dagsFolder, env: { UPDRAFT_VAR_TARGET: 'warehouse' } });
    expect(result.state).toBe('success');
    expect(result.log).toContain('got null with');
    expect(result.xcoms).toEqual({ return_value: 'warehouse' });
  });

  it('runs a bash task with its templates rendered', async () => {
    const result = await runTaskOnce({ dagId: 'etl', taskId: 'shout', dagsFolder, logicalDate: new Date('2026-02-03T00:00:00Z'), env: {} });
    expect(result.state).toBe('success');
    expect(result.log).toContain('day 2026-02-03');
  });

  it("reports a failure with the task's error in the log", async () => {
    const result = await runTaskOnce({ dagId: 'etl', taskId: 'broken', dagsFolder, env: {} });
    expect(result.state).toBe('failed');
    expect(result.log).toContain('ERROR Task failed: Error: the warehouse is down');
  });

  it('names the DAGs and tasks that exist when the one asked for does not', async () => {
    await expect(runTaskOnce({ dagId: 'etl', taskId: 'publish', dagsFolder, env: {} })).rejects.toThrow(
      'DAG "etl" has no task "publish". Its tasks: broken, extract, load, shout.',
    );
    await expect(runTaskOnce({ dagId: 'nope', taskId: 'x', dagsFolder, env: {} })).rejects.toThrow('DAGs found: etl, other.');
  });
});
