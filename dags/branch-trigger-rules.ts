/**
 * A branch built from a skip and trigger rules. `choose` decides which path runs; the other path's task
 * skips itself. `join` runs when no upstream failed and at least one succeeded; `notify_failure` runs
 * only if something failed; `cleanup` always runs once everything is done.
 */
import { bash, chain, dag, SkipTask, task } from 'updraft/sdk';

const choose = task({ taskId: 'choose' }, (ctx) => (ctx.params.mode === 'full' ? 'full' : 'incremental'));

const fullLoad = task({ taskId: 'full_load' }, (ctx, mode: string) => {
  if (mode !== 'full') throw new SkipTask('Incremental run: nothing to do on the full path');
  return 'full load done';
});

const incrementalLoad = task({ taskId: 'incremental_load' }, (ctx, mode: string) => {
  if (mode !== 'incremental') throw new SkipTask('Full run: nothing to do on the incremental path');
  return 'incremental load done';
});

export default dag(
  {
    dagId: 'branch_trigger_rules',
    description: 'Branching with SkipTask and trigger rules',
    schedule: null,
    params: { mode: 'incremental' },
    tags: ['example', 'trigger-rules'],
  },
  () => {
    const mode = choose();
    const paths = [fullLoad(mode), incrementalLoad(mode)];
    const join = bash({ taskId: 'join', bashCommand: 'echo "joined the {{ params.mode }} path"', triggerRule: 'none_failed_min_one_success' });
    const notifyFailure = bash({ taskId: 'notify_failure', bashCommand: 'echo "a load failed" >&2', triggerRule: 'one_failed' });
    const cleanup = bash({ taskId: 'cleanup', bashCommand: 'echo "cleaning up"', triggerRule: 'all_done' });
    chain(paths, join);
    for (const path of paths) path.setDownstream(notifyFailure);
    chain(join, cleanup);
    notifyFailure.setDownstream(cleanup);
  },
);
