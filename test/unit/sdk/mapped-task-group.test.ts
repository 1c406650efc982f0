import { describe, expect, it } from 'vitest';
import { chain, dag, empty, isMapItem, pythonTask, task, taskGroup, type MapItem, type TaskContext, type TaskRef } from 'updraft/sdk';
import { definitionError } from '../../support/definition-error.ts';

const listFiles = task(function listFiles(): string[] {
  return ['a.csv', 'b.csv'];
});
const parse = task(function parse(ctx: TaskContext, file: string) {
  return file.length;
});
const store = task(function store(ctx: TaskContext, rows: number, file: string) {
  return `${file}:${rows}`;
});

function edges(built: ReturnType<typeof dag>): string[] {
  return [...built.tasks].flatMap(([taskId, definition]) => [...definition.upstreamTaskIds].map((up) => `${up}>>${taskId}`)).sort();
}

describe('taskGroup.expand()', () => {
  it('hands the item to the build function and marks every task inside, nested plain groups included', () => {
    let seen: unknown;
    const built = dag({ dagId: 'per_file' }, () => {
      const files = listFiles();
      taskGroup.expand({ groupId: 'per_file', tooltip: 'One file' }, files, (file: MapItem<string>) => {
        seen = file;
        const rows = parse(file);
        taskGroup({ groupId: 'save' }, () => void store(rows, file));
      });
      empty({ taskId: 'after' });
    });
    expect(isMapItem(seen)).toBe(true);
    expect(built.taskGroups.get('per_file')).toEqual({
      groupId: 'per_file',
      parentGroupId: null,
      tooltip: 'One file',
      prefixGroupId: true,
      expand: { kind: 'xcom', taskId: 'listFiles', key: 'return_value' },
    });
    expect(built.taskGroups.get('per_file.save')).not.toHaveProperty('expand');
    expect(built.tasks.get('per_file.parse')).toMatchObject({
      args: [{ kind: 'map_item', groupId: 'per_file' }],
      mappedGroupId: 'per_file',
      taskGroupId: 'per_file',
    });
    expect(built.tasks.get('per_file.save.store')).toMatchObject({
      args: [
        { kind: 'xcom', taskId: 'per_file.parse', key: 'return_value' },
        { kind: 'map_item', groupId: 'per_file' },
      ],
      mappedGroupId: 'per_file',
      taskGroupId: 'per_file.save',
    });
    expect(built.tasks.get('per_file.parse')).not.toHaveProperty('expandInputs');
    expect(built.tasks.get('after')).not.toHaveProperty('mappedGroupId');
    expect(built.tasks.get('listFiles')).not.toHaveProperty('mappedGroupId');
  });

  it('makes the task whose output it maps over upstream of every root of the group, and only of the roots', () => {
    const built = dag({ dagId: 'roots' }, () => {
      const files = listFiles();
      taskGroup.expand({ groupId: 'g' }, files, (file) => {
        const rows = parse(file);
        store(rows, file);
        empty({ taskId: 'side' });
      });
    });
    expect(edges(built)).toEqual(['g.parse>>g.store', 'listFiles>>g.parse', 'listFiles>>g.side']);
  });

  it('maps over a literal list without adding dependencies, and wires like a plain group', () => {
    const built = dag({ dagId: 'literal' }, () => {
      const group = taskGroup.expand({ groupId: 'g', prefixGroupId: false }, [{ id: 1 }, { id: 2 }], () => {
        empty({ taskId: 'inside' });
      });
      chain(empty({ taskId: 'start' }), group, empty({ taskId: 'end' }));
    });
    expect(built.taskGroups.get('g')?.expand).toEqual({ kind: 'literal', values: [{ id: 1 }, { id: 2 }] });
    expect(built.tasks.get('inside')?.mappedGroupId).toBe('g');
    expect(edges(built)).toEqual(['inside>>end', 'start>>inside']);
  });

  it('applies the group’s defaultArgs to the tasks inside, as a plain group', () => {
    const built = dag({ dagId: 'defaults' }, () => {
      taskGroup.expand({ groupId: 'g', defaultArgs: { retries: 3 } }, [1], () => void empty({ taskId: 'x' }));
    });
    expect(built.tasks.get('g.x')?.retries).toBe(3);
  });

  it('lets pythonTask args use the item', () => {
    const built = dag({ dagId: 'python_item' }, () => {
      taskGroup.expand({ groupId: 'g' }, ['eu'], (region) => {
        pythonTask({ taskId: 'score', script: 'python/score.py', args: ['v2', region] });
      });
    });
    expect(built.tasks.get('g.score')?.args).toEqual([
      { kind: 'literal', value: 'v2' },
      { kind: 'map_item', groupId: 'g' },
    ]);
  });

  it('refuses a list that is not one, saying what to pass', () => {
    expect(definitionError(() => dag({ dagId: 'bad' }, () => void taskGroup.expand({ groupId: 'g' }, 'abc' as never, () => {}))).message).toBe(
      'DAG "bad", mapped task group "g": the mapped list: expand() maps over a list: pass an array, or the output of a task that returns one (got "abc").',
    );
    expect(
      definitionError(() => dag({ dagId: 'bad' }, () => void (taskGroup.expand as (o: unknown) => unknown)({ groupId: 'g' }))).message,
    ).toBe(
      'DAG "bad", mapped task group "g": taskGroup.expand(options, over, build) needs the list to map over as its second argument: pass an array, or the output of a task that returns one.',
    );
  });

  it('refuses a build function that is not one, for mapped and plain groups alike', () => {
    expect(definitionError(() => dag({ dagId: 'bad' }, () => void taskGroup.expand({ groupId: 'g' }, [1], 'x' as never))).message).toBe(
      'DAG "bad", mapped task group "g": taskGroup.expand(options, over, build) needs a build function that adds the group\'s tasks, got "x".',
    );
    expect(definitionError(() => dag({ dagId: 'bad' }, () => void taskGroup({ groupId: 'g' }, 'x' as never))).message).toBe(
      'DAG "bad", task group "g": taskGroup(options, build) needs a build function that adds the group\'s tasks, got "x".',
    );
  });

  it('refuses a mapped group without tasks', () => {
    expect(definitionError(() => dag({ dagId: 'hollow' }, () => void taskGroup.expand({ groupId: 'g' }, [1], () => {}))).message).toBe(
      'DAG "hollow", mapped task group "g": the mapped task group has no tasks; add the tasks each element runs inside its build function.',
    );
  });

  it('refuses a mapped group inside a mapped group, even through a plain group', () => {
    const error = definitionError(() =>
      dag({ dagId: 'nested' }, () => {
        taskGroup.expand({ groupId: 'outer' }, [1], () => {
          taskGroup({ groupId: 'plain' }, () => {
            taskGroup.expand({ groupId: 'inner' }, [2], () => void empty({ taskId: 'x' }));
          });
        });
      }),
    );
    expect(error.message).toBe(
      'DAG "nested": mapped task group "outer.plain.inner" is inside mapped task group "outer": nested mapping is not supported. Use a plain taskGroup() inside, or map the outer group over the combined list.',
    );
  });

  it('refuses the item outside its group, after the group and in another DAG', () => {
    let kept!: MapItem<string>;
    const outside = definitionError(() =>
      dag({ dagId: 'outside' }, () => {
        taskGroup.expand({ groupId: 'g' }, ['a'], (file: MapItem<string>) => {
          kept = file;
          parse(file);
        });
        parse(kept);
      }),
    );
    expect(outside.message).toBe(
      'DAG "outside", task "parse": argument 1 is the item of mapped task group "g", but the task is not inside that group; use the item only in tasks that the group\'s build function adds.',
    );
    const foreign = definitionError(() =>
      dag({ dagId: 'foreign' }, () => {
        taskGroup.expand({ groupId: 'g' }, ['a'], () => void parse(kept));
      }),
    );
    expect(foreign.message).toBe(
      'DAG "foreign", task "parse": argument 1 is the item of mapped task group "g" of another DAG; use an item only inside its own group.',
    );
  });

  it('refuses the item inside a literal and as a list to expand over', () => {
    const inLiteral = definitionError(() =>
      dag({ dagId: 'literal' }, () => {
        taskGroup.expand({ groupId: 'g' }, ['a'], (file) => void parse({ file } as never));
      }),
    );
    expect(inLiteral.message).toBe(
      'DAG "literal", task "parse": argument 1.file holds the item of mapped task group "g" inside a literal; pass the item as a direct argument of the task call. Literal arguments are stored as JSON.',
    );
    const asList = definitionError(() =>
      dag({ dagId: 'as_list' }, () => {
        let kept!: MapItem<string>;
        taskGroup.expand({ groupId: 'g' }, ['a'], (file: MapItem<string>) => {
          kept = file;
          parse(file);
        });
        parse.expand(kept as never);
      }),
    );
    expect(asList.message).toBe(
      'DAG "as_list", task "parse": argument 1 is the item of mapped task group "g", one element rather than a list; mapping over it would be nested mapping, which is not supported.',
    );
  });

  it('types the item as the list’s element', () => {
    dag({ dagId: 'typed' }, () => {
      const files: TaskRef<string[]> = listFiles();
      taskGroup.expand({ groupId: 'g' }, files, (file) => {
        // @ts-expect-error the item is a string, store's first parameter a number
        store(file, file);
        parse(file);
      });
    });
  });
});
