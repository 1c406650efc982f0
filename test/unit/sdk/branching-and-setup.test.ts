import { describe, expect, it } from 'vitest';
import {
  DagDefinitionError,
  branch,
  chain,
  dag,
  empty,
  latestOnly,
  setup,
  shortCircuit,
  task,
  teardown,
  type TaskContext,
} from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';
import { definitionError } from '../../support/definition-error.ts';

describe('branch(), shortCircuit(), latestOnly()', () => {
  const pick = branch({ taskId: 'pick', retries: 1 }, (ctx: TaskContext, mode: string) => (mode === 'full' ? 'full' : null));
  const hasRows = shortCircuit({ taskId: 'has_rows', ignoreDownstreamTriggerRules: false }, () => 0);

  it('adds tasks with their operators, options and arguments, serialized as branch, short_circuit and latest_only', () => {
    const built = dag({ dagId: 'shapes' }, () => {
      chain(latestOnly(), pick('full'), [empty({ taskId: 'full' }), hasRows()]);
    });
    const definition = built.tasks.get('pick');
    expect(definition).toMatchObject({ operator: 'branch', retries: 1, args: [{ kind: 'literal', value: 'full' }], doXcomPush: true });
    expect(built.tasks.get('has_rows')).toMatchObject({ operator: 'short_circuit', ignoreDownstreamTriggerRules: false });
    expect(built.tasks.get('latest_only')).toMatchObject({ operator: 'latest_only', doXcomPush: false });
    const serialized = serializeDag(built, 'shapes.ts');
    expect(serialized.tasks.map((t) => [t.taskId, t.operator])).toEqual([
      ['latest_only', 'latest_only'],
      ['pick', 'branch'],
      ['full', 'empty'],
      ['has_rows', 'short_circuit'],
    ]);
  });

  it('defaults ignoreDownstreamTriggerRules to true and refuses a non-boolean', () => {
    const always = shortCircuit({ taskId: 'check' }, () => true);
    expect(dag({ dagId: 'sc' }, () => void always()).tasks.get('check')).toMatchObject({ ignoreDownstreamTriggerRules: true });
    expect(definitionError(() => shortCircuit({ taskId: 'bad', ignoreDownstreamTriggerRules: 'yes' as never }, () => true)).message).toBe(
      'task "bad": ignoreDownstreamTriggerRules must be true or false, got "yes".',
    );
  });

  it('lets latestOnly take a task id and task options, and refuses unknown ones', () => {
    const built = dag({ dagId: 'lo' }, () => void latestOnly({ taskId: 'only_latest', retries: 2 }));
    expect(built.tasks.get('only_latest')).toMatchObject({ operator: 'latest_only', retries: 2 });
    expect(definitionError(() => dag({ dagId: 'lo_bad' }, () => void latestOnly({ tasKId: 'x' } as never))).message).toContain(
      'unknown option "tasKId"',
    );
  });

  it('refuses an unknown branch option', () => {
    expect(definitionError(() => branch({ taskId: 'b', ignoreDownstreamTriggerRules: true } as never, () => null)).message).toContain(
      'unknown option "ignoreDownstreamTriggerRules"',
    );
  });
});

describe('setup and teardown', () => {
  const create = setup(task({ taskId: 'create_cluster' }, () => 'cluster-1'));
  const destroy = teardown(task({ taskId: 'delete_cluster' }, (ctx: TaskContext, id: string) => id));
  const query = task({ taskId: 'query' }, (ctx: TaskContext, id: string) => id);

  it('marks setups and teardowns; a teardown gets all_done_setup_success and onFailureFailDagrun false', () => {
    const built = dag({ dagId: 'cluster' }, () => {
      const cluster = create();
      query(cluster).setDownstream(destroy(cluster));
    });
    expect(built.tasks.get('create_cluster')).toMatchObject({ isSetup: true });
    expect(built.tasks.get('delete_cluster')).toMatchObject({
      isTeardown: true,
      onFailureFailDagrun: false,
      triggerRule: 'all_done_setup_success',
      upstreamTaskIds: new Set(['create_cluster', 'query']),
    });
    expect(built.tasks.get('query')?.isSetup).toBeUndefined();
    const serialized = serializeDag(built, 'cluster.ts');
    expect(serialized.tasks.find((t) => t.taskId === 'create_cluster')).toMatchObject({ isSetup: true });
    expect(serialized.tasks.find((t) => t.taskId === 'delete_cluster')).toMatchObject({ isTeardown: true, triggerRule: 'all_done_setup_success' });
    expect(serialized.tasks.find((t) => t.taskId === 'delete_cluster')).not.toHaveProperty('onFailureFailDagrun');
    expect(serialized.tasks.find((t) => t.taskId === 'query')).not.toHaveProperty('isSetup');
  });

  it('asTeardown({ setups, onFailureFailDagrun }) marks the setups and sets them upstream', () => {
    const built = dag({ dagId: 'refs' }, () => {
      const start = empty({ taskId: 'start' });
      const work = empty({ taskId: 'work' });
      work.setUpstream(start);
      empty({ taskId: 'stop' }).asTeardown({ setups: start, onFailureFailDagrun: true }).setUpstream(work);
    });
    expect(built.tasks.get('start')?.isSetup).toBe(true);
    expect(built.tasks.get('stop')).toMatchObject({ isTeardown: true, onFailureFailDagrun: true, upstreamTaskIds: new Set(['start', 'work']) });
  });

  it('follows Airflow’s checks: no setup-and-teardown task, work after a setup uses all_success, the rule is for teardowns', () => {
    expect(
      definitionError(() => dag({ dagId: 'both' }, () => void empty({ taskId: 'x' }).asSetup().asTeardown())).message,
    ).toContain('cannot be both a setup and a teardown');
    expect(
      definitionError(() =>
        dag({ dagId: 'rule_after_setup' }, () => {
          empty({ taskId: 'work', triggerRule: 'all_done' }).setUpstream(empty({ taskId: 's' }).asSetup());
        }),
      ).message,
    ).toContain('it follows setup task "s", so its trigger rule must be all_success');
    expect(
      definitionError(() => dag({ dagId: 'rule_by_hand' }, () => void empty({ taskId: 'x', triggerRule: 'all_done_setup_success' }))).message,
    ).toContain('all_done_setup_success is for teardown tasks only');
    expect(definitionError(() => dag({ dagId: 'bad_flag' }, () => void empty({ taskId: 'x' }).asTeardown({ onFailureFailDagrun: 1 as never }))).message).toContain(
      'onFailureFailDagrun must be true or false',
    );
  });
});
