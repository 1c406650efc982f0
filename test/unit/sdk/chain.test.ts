import { describe, expect, it } from 'vitest';
import { DagDefinitionError, chain, dag, empty, type Dag, type TaskRef } from 'updraft/sdk';
import { definitionError } from '../../support/definition-error.ts';

function edges(built: Dag): string[] {
  const result: string[] = [];
  for (const [taskId, definition] of built.tasks) {
    for (const upstream of definition.upstreamTaskIds) result.push(`${upstream}>>${taskId}`);
  }
  return result.sort();
}

function tasks(...ids: string[]): TaskRef[] {
  return ids.map((taskId) => empty({ taskId }));
}

describe('chain()', () => {
  it('links single tasks in a row', () => {
    const built = dag({ dagId: 'row' }, () => {
      const [a, b, c] = tasks('a', 'b', 'c');
      chain(a!, b!, c!);
    });
    expect(edges(built)).toEqual(['a>>b', 'b>>c']);
  });

  it('fans out from a task to a list and in from a list to a task', () => {
    const built = dag({ dagId: 'fan' }, () => {
      const [start, x, y, end] = tasks('start', 'x', 'y', 'end');
      chain(start!, [x!, y!], end!);
    });
    expect(edges(built)).toEqual(['start>>x', 'start>>y', 'x>>end', 'y>>end']);
  });

  it('joins adjacent lists pairwise', () => {
    const built = dag({ dagId: 'pairs' }, () => {
      const [t1, a, b, c, d, t2] = tasks('t1', 'a', 'b', 'c', 'd', 't2');
      chain(t1!, [a!, b!], [c!, d!], t2!);
    });
    expect(edges(built)).toEqual(['a>>c', 'b>>d', 'c>>t2', 'd>>t2', 't1>>a', 't1>>b']);
  });

  it('refuses adjacent lists of different lengths', () => {
    const error = definitionError(() =>
      dag({ dagId: 'uneven' }, () => {
        const [a, b, c] = tasks('a', 'b', 'c');
        chain([a!, b!], [c!]);
      }),
    );
    expect(error.message).toContain('chain(): adjacent lists must have the same length to be joined pairwise, got 2 (a, b) and 1 (c).');
  });

  it('refuses something that is not a task', () => {
    const error = definitionError(() =>
      dag({ dagId: 'not_task' }, () => {
        chain(empty({ taskId: 'a' }), 'b' as never);
      }),
    );
    expect(error.message).toContain('chain(): element 2 must be a task reference, a task group or a list of them');
  });

  it('does nothing for one element', () => {
    const built = dag({ dagId: 'single' }, () => {
      chain(tasks('a', 'b'));
    });
    expect(edges(built)).toEqual([]);
  });
});

describe('setUpstream() and setDownstream()', () => {
  it('accept one task, a list, or several', () => {
    const built = dag({ dagId: 'set' }, () => {
      const [a, b, c, d, e] = tasks('a', 'b', 'c', 'd', 'e');
      c!.setUpstream(a!);
      c!.setUpstream([b!]);
      c!.setDownstream(d!, [e!]);
      e!.setUpstream(d!);
      e!.setUpstream(d!);
    });
    expect(edges(built)).toEqual(['a>>c', 'b>>c', 'c>>d', 'c>>e', 'd>>e']);
  });

  it('refuse a task of another DAG', () => {
    let foreign: TaskRef | undefined;
    dag({ dagId: 'theirs' }, () => {
      foreign = empty({ taskId: 'remote' });
    });
    const error = definitionError(() =>
      dag({ dagId: 'ours' }, () => {
        empty({ taskId: 'local' }).setUpstream(foreign!);
      }),
    );
    expect(error.message).toBe(
      'DAG "ours": setUpstream() got task "remote" of DAG "theirs"; dependencies can only join tasks of the same DAG.',
    );
  });

  it('refuse changes after the DAG is built', () => {
    let a: TaskRef | undefined;
    let b: TaskRef | undefined;
    dag({ dagId: 'built' }, () => {
      [a, b] = tasks('a', 'b');
    });
    expect(definitionError(() => a!.setDownstream(b!)).message).toBe(
      'DAG "built" is already built: add tasks and dependencies inside its build function, dag(options, () => { ... }).',
    );
  });
});

describe('a task reference', () => {
  it('is not a thenable, so awaiting it by mistake yields the reference itself', async () => {
    let ref: TaskRef | undefined;
    dag({ dagId: 'thenable' }, () => {
      ref = empty({ taskId: 'a' });
    });
    expect('then' in ref!).toBe(false);
    expect(await ref).toBe(ref);
    expect(ref).toMatchObject({ taskId: 'a', dagId: 'thenable' });
  });
});
