import { describe, expect, it } from 'vitest';
import { DagDefinitionError, bash, dag, empty, task, type TaskContext, type TaskDefinition } from 'updraft/sdk';
import { definitionError } from '../../support/definition-error.ts';

function upstreamOf(definition: TaskDefinition | undefined): string[] {
  return [...(definition?.upstreamTaskIds ?? [])].sort();
}

const extract = task({ taskId: 'extract' }, async (ctx: TaskContext) => ({ day: ctx.ds }));
const transform = task({ taskId: 'transform' }, (ctx: TaskContext, raw: { day: string }, factor: number) => ({ ...raw, factor }));
const load = task(function load(ctx: TaskContext, rows: unknown, extra: unknown) {
  return [rows, extra];
});

describe('task() (TaskFlow)', () => {
  it('turns task outputs passed as arguments into dependencies and XCom arguments', () => {
    const built = dag({ dagId: 'flow' }, () => {
      const raw = extract();
      const shaped = transform(raw, 3);
      load(shaped, raw.output('row_count'));
    });
    expect([...built.tasks.keys()]).toEqual(['extract', 'transform', 'load']);
    expect(upstreamOf(built.tasks.get('extract'))).toEqual([]);
    expect(upstreamOf(built.tasks.get('transform'))).toEqual(['extract']);
    expect(upstreamOf(built.tasks.get('load'))).toEqual(['extract', 'transform']);
    expect(built.tasks.get('transform')?.args).toEqual([
      { kind: 'xcom', taskId: 'extract', key: 'return_value' },
      { kind: 'literal', value: 3 },
    ]);
    expect(built.tasks.get('load')?.args).toEqual([
      { kind: 'xcom', taskId: 'transform', key: 'return_value' },
      { kind: 'xcom', taskId: 'extract', key: 'row_count' },
    ]);
  });

  it('keeps the function, which receives the context and the arguments', async () => {
    const built = dag({ dagId: 'keeps_fn' }, () => {
      transform({ day: 'x' }, 2);
    });
    const definition = built.tasks.get('transform');
    if (definition?.operator !== 'taskflow') throw new Error('expected a taskflow task');
    expect(await definition.fn({ ds: '2025-01-01' } as TaskContext, { day: '2025-01-01' }, 2)).toEqual({ day: '2025-01-01', factor: 2 });
    expect(definition).toMatchObject({ doXcomPush: true, templateFields: {}, operator: 'taskflow' });
  });

  it('takes the task id from the function name', () => {
    const built = dag({ dagId: 'named' }, () => {
      load(1, 2);
    });
    expect([...built.tasks.keys()]).toEqual(['load']);
    expect(load.taskId).toBe('load');
  });

  it('suffixes the id when a factory is called again in the same DAG, as Airflow does', () => {
    const built = dag({ dagId: 'suffixes' }, () => {
      extract();
      extract();
      extract();
      empty({ taskId: 'extract__7' });
      extract();
    });
    expect([...built.tasks.keys()]).toEqual(['extract', 'extract__1', 'extract__2', 'extract__7', 'extract__8']);
  });

  it('starts over with the plain id in each DAG', () => {
    const first = dag({ dagId: 'first' }, () => {
      extract();
      extract();
    });
    const second = dag({ dagId: 'second' }, () => {
      extract();
    });
    expect([...first.tasks.keys()]).toEqual(['extract', 'extract__1']);
    expect([...second.tasks.keys()]).toEqual(['extract']);
  });

  it('stores literal arguments as their JSON value, unaffected by later mutation', () => {
    const config = { tables: ['a'] };
    const built = dag({ dagId: 'literal' }, () => {
      load(config, null);
      config.tables.push('b');
    });
    expect(built.tasks.get('load')?.args).toEqual([
      { kind: 'literal', value: { tables: ['a'] } },
      { kind: 'literal', value: null },
    ]);
  });

  it('defaults every option as Airflow does', () => {
    const built = dag({ dagId: 'task_defaults' }, () => {
      extract();
    });
    expect(built.tasks.get('extract')).toMatchObject({
      triggerRule: 'all_success',
      retries: 0,
      retryDelaySeconds: 300,
      retryExponentialBackoff: false,
      maxRetryDelaySeconds: null,
      executionTimeoutSeconds: null,
      executor: null,
      pool: 'default_pool',
      poolSlots: 1,
      maxActiveTisPerDag: null,
      priorityWeight: 1,
      doc: null,
      doXcomPush: true,
    });
  });

  it('takes defaults from defaultArgs, and a task’s own option wins', () => {
    const tuned = task(
      { taskId: 'tuned', retries: 5, pool: 'warehouse', maxRetryDelay: null, executor: 'fargate', doXcomPush: false },
      () => null,
    );
    const built = dag(
      {
        dagId: 'precedence',
        defaultArgs: {
          retries: 2,
          retryDelay: 30,
          retryExponentialBackoff: true,
          maxRetryDelay: 600,
          executionTimeout: 120,
          triggerRule: 'all_done',
          executor: 'lambda',
          pool: 'shared',
          poolSlots: 2,
          maxActiveTisPerDag: 3,
          priorityWeight: 7,
          doc: 'from defaults',
        },
      },
      () => {
        extract();
        tuned();
        bash({ taskId: 'shell', bashCommand: 'true', retries: 0 });
      },
    );
    const fromDefaults = {
      retries: 2,
      retryDelaySeconds: 30,
      retryExponentialBackoff: true,
      maxRetryDelaySeconds: 600,
      executionTimeoutSeconds: 120,
      triggerRule: 'all_done',
      executor: 'lambda',
      pool: 'shared',
      poolSlots: 2,
      maxActiveTisPerDag: 3,
      priorityWeight: 7,
      doc: 'from defaults',
    };
    expect(built.tasks.get('extract')).toMatchObject(fromDefaults);
    expect(built.tasks.get('tuned')).toMatchObject({ ...fromDefaults, retries: 5, pool: 'warehouse', maxRetryDelaySeconds: null, executor: 'fargate', doXcomPush: false });
    expect(built.tasks.get('shell')).toMatchObject({ ...fromDefaults, retries: 0 });
  });

  it('is a clear error when a factory is called outside a DAG’s build function', () => {
    expect(definitionError(() => extract()).message).toBe(
      'Task "extract" was called outside a DAG: call it inside the build function of dag(options, () => { ... }).',
    );
  });

  describe('rejects', () => {
    it('an anonymous function without taskId', () => {
      expect(definitionError(() => task(() => 1)).message).toContain('task(fn) got an anonymous function');
    });

    it('an invalid task id', () => {
      expect(definitionError(() => task({ taskId: 'no/slash' }, () => 1)).message).toBe(
        'task "no/slash": the task id may contain only letters, digits, "_", "-" and ".", got "no/slash".',
      );
    });

    it('an unknown option', () => {
      expect(definitionError(() => task({ taskId: 't', retry: 3 } as never, () => 1)).message).toContain(
        'task "t": unknown option "retry".',
      );
    });

    it.each([
      [{ triggerRule: 'all_sucess' }, 'unknown trigger rule "all_sucess". Use one of: all_success, all_failed,'],
      [{ retries: 1.5 }, 'retries must be a whole number >= 0, got 1.5.'],
      [{ retryDelay: -1 }, 'retryDelay must be a number of seconds >= 0, got -1.'],
      [{ retryExponentialBackoff: 'yes' }, 'retryExponentialBackoff must be true or false'],
      [{ maxRetryDelay: 0 }, 'maxRetryDelay must be a number of seconds > 0 or null, got 0.'],
      [{ executionTimeout: Number.POSITIVE_INFINITY }, 'executionTimeout must be a number of seconds > 0 or null'],
      [{ executor: '' }, 'executor must be the name of a configured executor or null'],
      [{ pool: '' }, 'pool must be a non-empty pool name'],
      [{ poolSlots: 0 }, 'poolSlots must be a whole number >= 1, got 0.'],
      [{ maxActiveTisPerDag: 0 }, 'maxActiveTisPerDag must be a whole number >= 1, or null for no limit, got 0.'],
      [{ priorityWeight: 0.5 }, 'priorityWeight must be a whole number, got 0.5.'],
      [{ doc: 5 }, 'doc must be a string or null, got 5.'],
    ])('a bad option value %#, naming the DAG and the task', (options, message) => {
      const bad = task({ taskId: 'bad', ...(options as object) }, () => null);
      const error = definitionError(() => dag({ dagId: 'checks' }, () => void bad()));
      expect(error.message).toContain(`DAG "checks", task "bad": ${message}`);
    });

    it.each([
      [undefined, 'argument 1 is undefined, which JSON drops; use null'],
      [() => 1, 'argument 1 is a function, which JSON cannot hold'],
      [new Date(0), 'argument 1 is a Date, which JSON turns into a string; pass date.toISOString()'],
      [Number.NaN, 'argument 1 is NaN, which JSON cannot represent'],
      [10n, 'argument 1 is a bigint, which JSON cannot hold; use a number or a string'],
      [new Map(), 'argument 1 is a Map, which JSON does not preserve; use plain objects and arrays'],
      [{ nested: [1, { at: undefined }] }, 'argument 1.nested[1].at is undefined, which JSON drops; use null'],
    ])('a literal argument that is not JSON %#', (value, message) => {
      const error = definitionError(() => dag({ dagId: 'json' }, () => void load(value, 1)));
      expect(error.message).toBe(`DAG "json", task "load": ${message}. Literal arguments are stored as JSON.`);
    });

    it('a cyclic literal argument', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(definitionError(() => dag({ dagId: 'cyclic' }, () => void load(cyclic, 1))).message).toContain(
        'argument 1.self refers back to itself',
      );
    });

    it('a task output nested inside a literal', () => {
      const error = definitionError(() =>
        dag({ dagId: 'nested' }, () => {
          load({ rows: extract() }, 1);
        }),
      );
      expect(error.message).toContain('argument 1.rows holds the output of task "extract" inside a literal');
    });

    it('an output of another DAG', () => {
      let foreign: ReturnType<typeof extract> | undefined;
      dag({ dagId: 'other' }, () => {
        foreign = extract();
      });
      const error = definitionError(() => dag({ dagId: 'mine' }, () => void load(foreign, 1)));
      expect(error.message).toBe(
        'DAG "mine", task "load": argument 1 is the output of task "extract" from another DAG; a task can only use outputs of its own DAG.',
      );
    });
  });
});
