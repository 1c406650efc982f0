import { describe, expect, it } from 'vitest';
import { DagDefinitionError, chain, dag, empty, task, taskGroup, type Dag, type TaskContext } from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';
import { definitionError } from '../../support/definition-error.ts';

function edges(built: Dag): string[] {
  const result: string[] = [];
  for (const [taskId, definition] of built.tasks) {
    for (const upstream of definition.upstreamTaskIds) result.push(`${upstream}>>${taskId}`);
  }
  return result.sort();
}

const clean = task(function clean(ctx: TaskContext) {
  return ctx.ds;
});

describe('taskGroup()', () => {
  it('prefixes the ids of the tasks inside with the group id, nested groups included', () => {
    const built = dag({ dagId: 'nested' }, () => {
      taskGroup({ groupId: 'outer' }, () => {
        empty({ taskId: 'a' });
        taskGroup({ groupId: 'inner' }, () => {
          empty({ taskId: 'b' });
          clean();
          clean();
        });
      });
      empty({ taskId: 'top' });
    });
    expect([...built.tasks.keys()]).toEqual(['outer.a', 'outer.inner.b', 'outer.inner.clean', 'outer.inner.clean__1', 'top']);
    expect(built.tasks.get('outer.inner.b')?.taskGroupId).toBe('outer.inner');
    expect(built.tasks.get('outer.a')?.taskGroupId).toBe('outer');
    expect(built.tasks.get('top')?.taskGroupId).toBeUndefined();
    expect([...built.taskGroups.values()]).toEqual([
      { groupId: 'outer', parentGroupId: null, tooltip: null, prefixGroupId: true },
      { groupId: 'outer.inner', parentGroupId: 'outer', tooltip: null, prefixGroupId: true },
    ]);
  });

  it('leaves ids alone with prefixGroupId false (only the enclosing group’s flag counts, as Airflow)', () => {
    const built = dag({ dagId: 'unprefixed' }, () => {
      taskGroup({ groupId: 'outer', prefixGroupId: false }, () => {
        empty({ taskId: 'a' });
        taskGroup({ groupId: 'inner' }, () => void empty({ taskId: 'b' }));
      });
    });
    expect([...built.tasks.keys()]).toEqual(['a', 'inner.b']);
    expect(built.tasks.get('a')?.taskGroupId).toBe('outer');
    expect(built.taskGroups.get('inner')?.parentGroupId).toBe('outer');
  });

  it('merges the group’s defaultArgs over the DAG’s, innermost last, a task’s own option winning', () => {
    const built = dag({ dagId: 'defaults', defaultArgs: { retries: 1, pool: 'dag_pool' } }, () => {
      taskGroup({ groupId: 'g', defaultArgs: { retries: 3 } }, () => {
        empty({ taskId: 'a' });
        empty({ taskId: 'own', retries: 5 });
        taskGroup({ groupId: 'h', defaultArgs: { pool: 'inner_pool' } }, () => void empty({ taskId: 'b' }));
      });
      empty({ taskId: 'outside' });
    });
    expect(built.tasks.get('g.a')).toMatchObject({ retries: 3, pool: 'dag_pool' });
    expect(built.tasks.get('g.own')?.retries).toBe(5);
    expect(built.tasks.get('g.h.b')).toMatchObject({ retries: 3, pool: 'inner_pool' });
    expect(built.tasks.get('outside')).toMatchObject({ retries: 1, pool: 'dag_pool' });
  });

  it('stands for its leaves as an upstream and for its roots as a downstream, in chain() and set*stream()', () => {
    const built = dag({ dagId: 'wired' }, () => {
      const start = empty({ taskId: 'start' });
      const group = taskGroup({ groupId: 'g' }, () => {
        const [x, y, z] = [empty({ taskId: 'x' }), empty({ taskId: 'y' }), empty({ taskId: 'z' })];
        chain(x, [y, z]);
      });
      const end = empty({ taskId: 'end' });
      chain(start, group, end);
      const later = taskGroup({ groupId: 'later' }, () => void empty({ taskId: 'only' }));
      later.setUpstream(group);
    });
    expect(edges(built)).toEqual([
      'g.x>>g.y',
      'g.x>>g.z',
      'g.y>>end',
      'g.y>>later.only',
      'g.z>>end',
      'g.z>>later.only',
      'start>>g.x',
    ]);
  });

  it('looks through a teardown when it finds the group’s leaves (Airflow’s get_leaves)', () => {
    const built = dag({ dagId: 'leaves' }, () => {
      const group = taskGroup({ groupId: 'g' }, () => {
        const create = empty({ taskId: 'create' }).asSetup();
        const work = empty({ taskId: 'work' });
        chain(create, work, empty({ taskId: 'delete' }).asTeardown({ setups: create }));
      });
      group.setDownstream(empty({ taskId: 'after' }));
    });
    expect(edges(built)).toContain('g.work>>after');
    expect(edges(built)).not.toContain('g.delete>>after');
  });

  it('serializes taskGroupId on grouped tasks only, and the groups with their tooltips', () => {
    const built = dag({ dagId: 'serialized_groups' }, () => {
      taskGroup({ groupId: 'outer', tooltip: 'Outer work' }, () => {
        taskGroup({ groupId: 'inner' }, () => void empty({ taskId: 'b' }));
      });
      empty({ taskId: 'top' });
    });
    const serialized = serializeDag(built, 'groups.ts');
    expect(serialized.taskGroups).toEqual({ outer: { tooltip: 'Outer work' }, 'outer.inner': { parentGroupId: 'outer' } });
    expect(serialized.tasks.find((t) => t.taskId === 'outer.inner.b')?.taskGroupId).toBe('outer.inner');
    expect(serialized.tasks.find((t) => t.taskId === 'top')).not.toHaveProperty('taskGroupId');
    const ungrouped = serializeDag(dag({ dagId: 'plain' }, () => void empty({ taskId: 'a' })), 'plain.ts');
    expect(ungrouped).not.toHaveProperty('taskGroups');
  });

  it('refuses an empty group used in a dependency, naming it', () => {
    const error = definitionError(() =>
      dag({ dagId: 'empty_group' }, () => {
        const group = taskGroup({ groupId: 'nothing' }, () => {});
        chain(empty({ taskId: 'a' }), group);
      }),
    );
    expect(error.message).toContain('task group "nothing" has no tasks');
  });

  it('refuses duplicate group ids, a group id that a task has, and bad options', () => {
    expect(
      definitionError(() =>
        dag({ dagId: 'twice' }, () => {
          taskGroup({ groupId: 'g' }, () => void empty({ taskId: 'a' }));
          taskGroup({ groupId: 'g' }, () => void empty({ taskId: 'b' }));
        }),
      ).message,
    ).toContain('task group "g" is defined twice');
    expect(
      definitionError(() =>
        dag({ dagId: 'clash' }, () => {
          taskGroup({ groupId: 'g', prefixGroupId: false }, () => void empty({ taskId: 'x' }));
          empty({ taskId: 'g' });
        }),
      ).message,
    ).toContain('a task group already has this id');
    expect(definitionError(() => dag({ dagId: 'bad_id' }, () => void taskGroup({ groupId: 'a b' }, () => {}))).message).toContain(
      'taskGroup() needs a groupId that may contain only letters',
    );
    expect(
      definitionError(() => dag({ dagId: 'typo' }, () => void taskGroup({ groupId: 'g', prefix: false } as never, () => {}))).message,
    ).toContain('unknown option "prefix"');
    expect(
      definitionError(() => dag({ dagId: 'bad_defaults' }, () => void taskGroup({ groupId: 'g', defaultArgs: { retries: -1 } }, () => {})))
        .message,
    ).toContain('retries must be a whole number');
    expect(definitionError(() => taskGroup({ groupId: 'outside' }, () => {})).message).toContain('outside a DAG');
  });
});
