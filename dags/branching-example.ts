/**
 * DAG shapes in one file: `pick` branches on the `mode` param into a task group (full) or a single task
 * (incremental); `join` runs after whichever path ran. A setup creates a scratch area and a teardown
 * removes it whatever happened in between; `has_rows` short-circuits the report when nothing loaded.
 */
import { branch, chain, dag, empty, shortCircuit, task, taskGroup } from 'updraft/sdk';

const pick = branch({ taskId: 'pick' }, (ctx) => (ctx.params.mode === 'full' ? 'full_load' : 'incremental'));
const createScratch = task({ taskId: 'create_scratch' }, (ctx) => `/tmp/scratch-${ctx.dsNodash}`);
const dropScratch = task({ taskId: 'drop_scratch' }, (ctx, path: string) => `dropped ${path}`);
const extract = task({ taskId: 'extract' }, () => [120, 80, 42.5]);
const load = task({ taskId: 'load' }, (ctx, rows: number[]) => rows.length);
const incremental = task({ taskId: 'incremental' }, () => 1);
const hasRows = shortCircuit({ taskId: 'has_rows' }, (ctx) => ctx.ti.xcomPull('full_load.load'));
const report = task({ taskId: 'report' }, () => 'report sent');

export default dag(
  {
    dagId: 'branching_example',
    description: 'Branch, task group, setup/teardown and short circuit',
    schedule: null,
    params: { mode: 'incremental' },
    tags: ['example', 'branching'],
  },
  () => {
    const scratch = createScratch().asSetup();
    const chosen = pick();
    const full = taskGroup({ groupId: 'full_load', tooltip: 'Extracts and loads everything', defaultArgs: { retries: 1 } }, () => {
      load(extract());
    });
    const join = empty({ taskId: 'join', triggerRule: 'none_failed_min_one_success' });
    chain(scratch, chosen, [full, incremental()], join);
    chain(join, hasRows(), report());
    dropScratch(scratch).asTeardown({ setups: scratch }).setUpstream(join);
  },
);
