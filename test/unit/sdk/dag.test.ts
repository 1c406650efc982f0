import { describe, expect, it } from 'vitest';
import {
  CronDataIntervalTimetable,
  DagDefinitionError,
  bash,
  dag,
  empty,
  isDag,
  param,
  task,
  type Dag,
} from 'updraft/sdk';

const noop = task({ taskId: 'noop' }, () => null);

function definitionError(define: () => unknown): DagDefinitionError {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(DagDefinitionError);
    expect((error as DagDefinitionError).code).toBe('dag_definition');
    return error as DagDefinitionError;
  }
  throw new Error('expected a DagDefinitionError, but nothing was thrown');
}

describe('dag()', () => {
  it("applies Airflow's defaults when only a dagId is given", () => {
    const built = dag({ dagId: 'defaults' }, () => {
      noop();
    });
    expect(isDag(built)).toBe(true);
    expect(built).toMatchObject({
      dagId: 'defaults',
      description: null,
      tags: [],
      scheduleDescription: null,
      startDate: null,
      endDate: null,
      timezone: 'UTC',
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      params: {},
    });
    expect(built.timetable.serialize()).toEqual({ type: 'null' });
    expect([...built.tasks.keys()]).toEqual(['noop']);
  });

  it('resolves every option it is given', () => {
    const built = dag(
      {
        dagId: 'orders.daily-v2',
        schedule: '0 6 * * *',
        startDate: '2025-01-01',
        endDate: new Date('2025-12-31T00:00:00Z'),
        timezone: 'Europe/Berlin',
        catchup: true,
        maxActiveRuns: 2,
        maxActiveTasks: 4,
        params: { region: 'eu', limit: param(10, { type: 'integer', description: 'rows per batch' }), table: param(undefined, { type: 'string' }) },
        tags: ['orders', 'finance', 'orders'],
        description: 'Loads orders',
      },
      () => {
        noop();
      },
    );
    // An offset-less start date is read in the DAG's timezone: midnight in Berlin is 23:00 UTC.
    expect(built.startDate?.toISOString()).toBe('2024-12-31T23:00:00.000Z');
    expect(built.endDate?.toISOString()).toBe('2025-12-31T00:00:00.000Z');
    expect(built.scheduleDescription).toBe('0 6 * * *');
    expect(built.timetable.serialize()).toMatchObject({ type: 'cron_trigger', cron: '0 6 * * *', timezone: 'Europe/Berlin' });
    expect(built.tags).toEqual(['orders', 'finance']);
    expect(built.params).toEqual({
      region: { default: 'eu' },
      limit: { default: 10, type: 'integer', description: 'rows per batch' },
      table: { type: 'string' },
    });
    expect(built).toMatchObject({ catchup: true, maxActiveRuns: 2, maxActiveTasks: 4, description: 'Loads orders', timezone: 'Europe/Berlin' });
  });

  it.each([
    ['@once', { type: 'once' }],
    ['@hourly', { type: 'cron_trigger', cron: '0 * * * *' }],
    ['@daily', { type: 'cron_trigger', cron: '0 0 * * *' }],
    ['@weekly', { type: 'cron_trigger', cron: '0 0 * * 0' }],
    ['@monthly', { type: 'cron_trigger', cron: '0 0 1 * *' }],
    ['@yearly', { type: 'cron_trigger', cron: '0 0 1 1 *' }],
  ])('accepts the preset %s and keeps it as the schedule description', (preset, timetable) => {
    const built = dag({ dagId: 'preset', schedule: preset, startDate: '2025-01-01' }, () => {});
    expect(built.scheduleDescription).toBe(preset);
    expect(built.timetable.serialize()).toMatchObject(timetable);
  });

  it('uses a timetable object as given and describes it by its summary', () => {
    const timetable = new CronDataIntervalTimetable('30 2 * * *', 'UTC');
    const built = dag({ dagId: 'custom', schedule: timetable }, () => {});
    expect(built.timetable).toBe(timetable);
    expect(built.scheduleDescription).toBe(timetable.summary);
  });

  it('is frozen once built', () => {
    const built = dag({ dagId: 'frozen' }, () => {
      noop();
    });
    expect(Object.isFrozen(built)).toBe(true);
    expect(Object.isFrozen(built.tasks.get('noop'))).toBe(true);
  });

  it('recognises only DAGs', () => {
    expect(isDag({ dagId: 'lookalike', tasks: new Map() })).toBe(false);
    expect(isDag(null)).toBe(false);
    expect(isDag('dag')).toBe(false);
  });

  describe('rejects invalid definitions with a message naming the DAG', () => {
    it.each([
      [{ dagId: '' }, 'must not be empty'],
      [{ dagId: 'has space' }, 'may contain only letters, digits'],
      [{ dagId: 'x'.repeat(251) }, 'at most 250 characters'],
      [{ dagId: 42 }, 'must be a string'],
    ])('invalid dag id %#', (options, message) => {
      expect(definitionError(() => dag(options as never, () => {})).message).toContain(message);
    });

    it('an unknown option, such as an Airflow 2 name', () => {
      const error = definitionError(() => dag({ dagId: 'typo', scheduleInterval: '@daily' } as never, () => {}));
      expect(error.message).toBe(
        'DAG "typo": unknown option "scheduleInterval". Known options: dagId, schedule, startDate, endDate, timezone, catchup, maxActiveRuns, maxActiveTasks, defaultArgs, params, tags, description, onSuccess, onFailure, deadline.',
      );
    });

    it('a bad cron expression, wrapping the schedule error', () => {
      const error = definitionError(() => dag({ dagId: 'bad_cron', schedule: '0 25 * * *' }, () => {}));
      expect(error.message).toMatch(/^DAG "bad_cron": invalid schedule "0 25 \* \* \*": /);
      expect(error.cause).toBeInstanceOf(Error);
    });

    it.each([
      [{ timezone: 'Mars/Olympus' }, 'unknown timezone "Mars/Olympus"'],
      [{ startDate: 'yesterday' }, 'startDate must be a Date or an ISO-8601 string'],
      [{ startDate: new Date('nope') }, 'startDate is an invalid Date'],
      [{ startDate: '2025-02-01', endDate: '2025-01-01' }, 'endDate 2025-01-01T00:00:00.000Z is before startDate 2025-02-01T00:00:00.000Z'],
      [{ maxActiveRuns: 0 }, 'maxActiveRuns must be a whole number >= 1, got 0'],
      [{ maxActiveRuns: -1 }, 'maxActiveRuns must be a whole number >= 1, got -1'],
      [{ maxActiveTasks: 1.5 }, 'maxActiveTasks must be a whole number >= 1, got 1.5'],
      [{ catchup: 'yes' }, 'catchup must be true or false'],
      [{ tags: 'etl' }, 'tags must be a list of strings'],
      [{ tags: [''] }, 'every tag must be a string of 1 to 100 characters'],
      [{ description: 3 }, 'description must be a string or null'],
      [{ params: { when: new Date() } }, 'param "when": the default is a Date'],
      [{ params: { n: param('ten', { type: 'integer' }) } }, 'param "n": the default "ten" is not of type "integer"'],
      [{ params: { n: param(1, { type: 'int' as never }) } }, 'param "n": unknown type "int"'],
      [{ defaultArgs: { retries: -1 } }, 'DAG "opts" defaultArgs: retries must be a whole number >= 0, got -1.'],
      [{ defaultArgs: { taskId: 'x' } }, 'DAG "opts" defaultArgs: unknown option "taskId"'],
    ])('option error %#', (options, message) => {
      const error = definitionError(() => dag({ dagId: 'opts', ...(options as object) }, () => {}));
      expect(error.message).toContain('DAG "opts"');
      expect(error.message).toContain(message);
    });

    it('a missing build function', () => {
      expect(definitionError(() => dag({ dagId: 'no_build' }, undefined as never)).message).toContain('needs a build function');
    });

    it('an async build function', () => {
      const error = definitionError(() => dag({ dagId: 'async_build' }, (async () => {}) as never));
      expect(error.message).toContain('DAG "async_build": the build function returned a promise');
    });

    it('a dag defined inside another DAG’s build function', () => {
      const error = definitionError(() =>
        dag({ dagId: 'outer' }, () => {
          dag({ dagId: 'inner' }, () => {});
        }),
      );
      expect(error.message).toBe(
        'DAG "inner" was defined inside the build function of DAG "outer": define each dag() at the top level of the file.',
      );
    });

    it('a cycle, naming its path', () => {
      const error = definitionError(() =>
        dag({ dagId: 'loop' }, () => {
          const a = empty({ taskId: 'a' });
          const b = empty({ taskId: 'b' });
          const c = empty({ taskId: 'c' });
          empty({ taskId: 'd' }).setUpstream(a);
          a.setDownstream(b);
          b.setDownstream(c);
          c.setDownstream(a);
        }),
      );
      expect(error.message).toBe('DAG "loop": the dependencies form a cycle: a -> b -> c -> a. Remove one of these dependencies.');
    });

    it('a task depending on itself', () => {
      const error = definitionError(() =>
        dag({ dagId: 'self' }, () => {
          const a = bash({ taskId: 'a', bashCommand: 'true' });
          a.setUpstream(a);
        }),
      );
      expect(error.message).toContain('cycle: a -> a');
    });

    it('a duplicate task id', () => {
      const error = definitionError(() =>
        dag({ dagId: 'dupes' }, () => {
          empty({ taskId: 'same' });
          bash({ taskId: 'same', bashCommand: 'true' });
        }),
      );
      expect(error.message).toBe('DAG "dupes", task "same": duplicate task id; every task of a DAG needs its own taskId.');
    });
  });

  it('does not leave a failed build as the current DAG', () => {
    definitionError(() =>
      dag({ dagId: 'fails' }, () => {
        empty({ taskId: 'bad id' });
      }),
    );
    expect(definitionError(() => empty({ taskId: 'later' })).message).toContain('was called outside a DAG');
  });

  it('types the DAG for consumers', () => {
    const built: Dag = dag({ dagId: 'typed' }, () => {});
    expect(built.tasks.size).toBe(0);
  });
});
