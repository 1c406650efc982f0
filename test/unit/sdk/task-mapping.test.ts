import { describe, expect, it } from 'vitest';
import { branch, dag, empty, task, taskGroup, type TaskContext, type TaskRef } from 'updraft/sdk';
import { definitionError } from '../../support/definition-error.ts';

const listFiles = task(function listFiles(): string[] {
  return ['a.csv', 'b.csv'];
});
const stats = task(function stats() {
  return { files: ['x'], count: 1 };
});
const parse = task(function parse(ctx: TaskContext, file: string) {
  return file.length;
});
const add = task(function add(ctx: TaskContext, a: number, b: number) {
  return a + b;
});
const load = task(function load(ctx: TaskContext, target: string, batch: number, file: string) {
  return `${target}:${batch}:${file}`;
});
const total = task(function total(ctx: TaskContext, counts: number[]) {
  return counts.reduce((sum, count) => sum + count, 0);
});

describe('task().expand()', () => {
  it('maps every argument: a literal list stays in the definition, a task output becomes an upstream XCom source', () => {
    const built = dag({ dagId: 'mapped' }, () => {
      const files = listFiles();
      parse.expand(files);
      add.expand([1, 2], stats().output<number[]>('counts'));
    });
    expect(built.tasks.get('parse')).toMatchObject({
      args: [{ kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'xcom', taskId: 'listFiles', key: 'return_value' } }],
    });
    expect([...built.tasks.get('parse')!.upstreamTaskIds]).toEqual(['listFiles']);
    expect(built.tasks.get('add')).toMatchObject({
      args: [{ kind: 'mapped' }, { kind: 'mapped' }],
      expandInputs: [
        { target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: [1, 2] } },
        { target: { kind: 'arg', index: 1 }, source: { kind: 'xcom', taskId: 'stats', key: 'counts' } },
      ],
    });
    expect([...built.tasks.get('add')!.upstreamTaskIds]).toEqual(['stats']);
  });

  it('returns a reference whose output is the list of the instances’ values, usable downstream and for mapping again', () => {
    const built = dag({ dagId: 'map_reduce' }, () => {
      const parsed: TaskRef<number[]> = parse.expand(['a', 'bb']);
      total(parsed);
      add.expand(parsed, [10]);
    });
    expect(built.tasks.get('total')?.args).toEqual([{ kind: 'xcom', taskId: 'parse', key: 'return_value' }]);
    expect(built.tasks.get('total')?.expandInputs).toBeUndefined();
    expect(built.tasks.get('add')?.expandInputs?.[0]?.source).toEqual({ kind: 'xcom', taskId: 'parse', key: 'return_value' });
  });

  it('allows an empty literal list (the task is skipped when the run reaches it)', () => {
    const built = dag({ dagId: 'empty_list' }, () => void parse.expand([]));
    expect(built.tasks.get('parse')?.expandInputs).toEqual([{ target: { kind: 'arg', index: 0 }, source: { kind: 'literal', values: [] } }]);
  });

  it('copies the literal list, so changing the array after the call changes nothing', () => {
    const files = ['a'];
    const built = dag({ dagId: 'copied' }, () => {
      parse.expand(files);
      files.push('b');
    });
    expect(built.tasks.get('parse')?.expandInputs?.[0]?.source).toEqual({ kind: 'literal', values: ['a'] });
  });

  it('leaves plain calls unmapped and suffixes ids across plain and mapped calls', () => {
    const built = dag({ dagId: 'ids' }, () => {
      parse('a');
      parse.expand(['b']);
    });
    expect(built.tasks.get('parse')?.expandInputs).toBeUndefined();
    expect(built.tasks.get('parse')).not.toHaveProperty('expandInputs');
    expect(built.tasks.get('parse__1')?.expandInputs).toHaveLength(1);
  });

  it('is only on task(): branch() has no expand', () => {
    const pick = branch({ taskId: 'pick' }, () => 'a');
    expect((pick as unknown as { expand?: unknown }).expand).toBeUndefined();
  });

  it.each([
    ['a string', () => parse.expand('a.csv' as never), 'DAG "errors", task "parse": argument 1: expand() maps over a list: pass an array, or the output of a task that returns one (got "a.csv").'],
    ['an object', () => parse.expand({ files: [] } as never), 'DAG "errors", task "parse": argument 1: expand() maps over a list: pass an array, or the output of a task that returns one (got {"files":[]}).'],
    ['no argument', () => (parse.expand as () => unknown)(), 'DAG "errors", task "parse": expand() needs at least one list to map over: pass an array, or the output of a task that returns one.'],
    ['a non-JSON element', () => parse.expand([undefined] as never), 'DAG "errors", task "parse": argument 1[0] is undefined, which JSON drops; use null. Lists written in the DAG file are stored as JSON.'],
    ['a Date element', () => parse.expand([new Date(0)] as never), 'DAG "errors", task "parse": argument 1[0] is a Date, which JSON turns into a string; pass date.toISOString(). Lists written in the DAG file are stored as JSON.'],
  ])('refuses %s, saying what to pass', (_name, define, message) => {
    expect(definitionError(() => dag({ dagId: 'errors' }, () => void define())).message).toBe(message);
  });

  it('refuses the output of a task of another DAG', () => {
    let foreign!: TaskRef<string[]>;
    dag({ dagId: 'other' }, () => {
      foreign = listFiles();
    });
    const error = definitionError(() => dag({ dagId: 'mine' }, () => void parse.expand(foreign)));
    expect(error.message).toBe(
      'DAG "mine", task "parse": argument 1 is the output of task "listFiles" from another DAG; a task can only map over outputs of its own DAG.',
    );
  });

  it('refuses expand() inside a mapped task group: nested mapping is not supported', () => {
    const error = definitionError(() =>
      dag({ dagId: 'nested' }, () => {
        taskGroup.expand({ groupId: 'per_file' }, ['a'], () => {
          taskGroup({ groupId: 'inner' }, () => void parse.expand(['x']));
        });
      }),
    );
    expect(error.message).toBe(
      'DAG "nested", task "parse": expand() inside mapped task group "per_file": nested mapping is not supported. Every task in the group already runs once per element; pass the group\'s item as an argument, or move the task out of the group.',
    );
  });

  it('refuses to be called outside a DAG', () => {
    expect(definitionError(() => parse.expand(['a'])).message).toBe(
      'Task "parse" was called outside a DAG: call it inside the build function of dag(options, () => { ... }).',
    );
  });
});

describe('task().partial().expand()', () => {
  it('puts the fixed arguments first and maps the ones after them', () => {
    const built = dag({ dagId: 'partial' }, () => {
      const files = listFiles();
      load.partial('warehouse', 7).expand(files);
      add.partial(stats().output<number>('count')).expand([1, 2, 3]);
    });
    expect(built.tasks.get('load')).toMatchObject({
      args: [{ kind: 'literal', value: 'warehouse' }, { kind: 'literal', value: 7 }, { kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 2 }, source: { kind: 'xcom', taskId: 'listFiles', key: 'return_value' } }],
    });
    expect(built.tasks.get('add')).toMatchObject({
      args: [{ kind: 'xcom', taskId: 'stats', key: 'count' }, { kind: 'mapped' }],
      expandInputs: [{ target: { kind: 'arg', index: 1 }, source: { kind: 'literal', values: [1, 2, 3] } }],
    });
    expect([...built.tasks.get('add')!.upstreamTaskIds]).toEqual(['stats']);
  });

  it('adds no task until expand() is called, and each expand() adds one', () => {
    const built = dag({ dagId: 'lazy' }, () => {
      const perTarget = load.partial('warehouse', 1);
      empty({ taskId: 'start' });
      perTarget.expand(['a']);
      perTarget.expand(['b']);
    });
    expect([...built.tasks.keys()]).toEqual(['start', 'load', 'load__1']);
  });

  it('names the argument position in errors, fixed and mapped alike', () => {
    expect(definitionError(() => dag({ dagId: 'errors' }, () => void load.partial('w', 1).expand('a' as never))).message).toBe(
      'DAG "errors", task "load": argument 3: expand() maps over a list: pass an array, or the output of a task that returns one (got "a").',
    );
    expect(definitionError(() => dag({ dagId: 'errors' }, () => void add.partial(Number.NaN).expand([1]))).message).toBe(
      'DAG "errors", task "add": argument 1 is NaN, which JSON cannot represent. Literal arguments are stored as JSON.',
    );
  });

  it('is typed: the mapped lists must hold the parameter types, and a wrong arity is a compile error', () => {
    dag({ dagId: 'types' }, () => {
      // @ts-expect-error a list of numbers for a string parameter
      parse.expand([1, 2]);
      // @ts-expect-error the fixed argument has the wrong type
      load.partial(1);
      // @ts-expect-error the remaining parameter is a number
      add.partial(1).expand(['x']);
      const counts: TaskRef<number[]> = add.partial(1).expand([2, 3]);
      total(counts);
    });
    // @ts-expect-error a single value is not a list
    definitionError(() => dag({ dagId: 'types' }, () => void add.partial(1).expand(2)));
  });
});
