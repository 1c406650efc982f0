import { branch, chain, dag, empty, latestOnly, shortCircuit, task, taskGroup } from 'updraft/sdk';

/** DAGs for the branching runner test: each run picks a path from its conf. */

const pick = branch({ taskId: 'pick' }, (ctx) => (ctx.conf.path as string | undefined) ?? 'path_a');
const step = (taskId: string) => task({ taskId }, () => taskId);

export const branching = dag({ dagId: 'branching_runner' }, () => {
  const p = pick();
  const join = empty({ taskId: 'join', triggerRule: 'none_failed_min_one_success' });
  chain(p, step('path_a')(), step('after_a')(), join);
  chain(p, step('path_b')(), join);
  const grouped = taskGroup({ groupId: 'grp' }, () => void chain(step('first')(), step('second')()));
  p.setDownstream(grouped);
  grouped.setDownstream(join);
  join.setDownstream(step('publish')());
});

const hasRows = shortCircuit({ taskId: 'has_rows', ignoreDownstreamTriggerRules: true }, (ctx) => ctx.conf.rows ?? 0);

export const shortCircuited = dag({ dagId: 'short_circuit_runner' }, () => {
  chain(hasRows(), step('load')(), empty({ taskId: 'always_end', triggerRule: 'all_done' }));
});

export const latest = dag({ dagId: 'latest_only_runner' }, () => {
  chain(latestOnly(), step('notify')());
});
