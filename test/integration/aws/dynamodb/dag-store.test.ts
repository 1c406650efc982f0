import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../../src/core/errors.ts';
import type { DagRecord } from '../../../../src/core/model/records.ts';
import { SerializedDagTooLargeError } from '../../../../src/aws/dynamodb/index.ts';
import { at, createTestMetastore, parsedDag, serializedDag, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
beforeAll(async () => {
  ({ metastore: store } = await createTestMetastore('dag-store'));
});

const interval = (startIso: string, endIso: string) => ({ start: at(startIso), end: at(endIso) });

describe('DynamoDbMetastore DAGs', () => {
  it('stores a new DAG with its version; pausedAtCreation and the first schedule apply', async () => {
    const parsed = parsedDag('fresh', { pausedAtCreation: true, description: 'Loads orders' });
    await store.saveParsedDag(parsed);
    expect(await store.getDag('fresh')).toEqual({
      ...parsed.dag,
      isPaused: true,
      lastAutomatedDataInterval: null,
      nextDagRunCreateAfter: at('2024-05-02T00:00:00.000Z'),
    } satisfies DagRecord);
    expect(await store.getDagVersion('fresh', 'v1')).toEqual(parsed.version);
    expect(await store.getDagVersion('fresh', 'v2')).toBeNull();
    expect(await store.getDag('never_parsed')).toBeNull();
  });

  it('round-trips a serialized DAG with every kind of field', async () => {
    const serialized = serializedDag('rich', {
      description: 'all the things',
      tags: ['finance', 'daily'],
      params: { limit: { default: 10, type: 'integer', description: 'rows' }, anything: { default: { a: [null] } } },
      tasks: [
        {
          taskId: 'extract',
          operator: 'taskflow',
          upstreamTaskIds: [],
          triggerRule: 'all_success',
          retries: 2,
          retryDelaySeconds: 30,
          retryExponentialBackoff: true,
          maxRetryDelaySeconds: null,
          executionTimeoutSeconds: 600,
          executor: null,
          executorConfig: { cpu: 1024, memory: 4096 },
          pool: 'default_pool',
          poolSlots: 1,
          priorityWeight: 1,
          templateFields: { sql: 'select {{ ds }}', nested: { deep: [1, 2, { x: null }] } },
          args: [{ kind: 'literal', value: null }, { kind: 'xcom', taskId: 'a', key: 'return_value' }],
          doXcomPush: true,
          doc: null,
        },
      ],
    });
    const parsed = parsedDag('rich', { serialized });
    await store.saveParsedDag(parsed);
    expect((await store.getDagVersion('rich', 'v1'))?.serialized).toEqual(serialized);
    expect((await store.getDag('rich'))?.tags).toEqual(['finance', 'daily']);
  });

  it('keeps isPaused and the schedule bookkeeping of an existing DAG on re-parse', async () => {
    await store.saveParsedDag(parsedDag('kept', { pausedAtCreation: true }));
    await store.setDagPaused('kept', false);
    const last = interval('2024-05-01T00:00:00.000Z', '2024-05-02T00:00:00.000Z');
    await store.updateDagSchedule('kept', { lastAutomatedDataInterval: last, nextDagRunCreateAfter: at('2024-05-03T00:00:00.000Z') }, null);

    const reparsed = parsedDag('kept', {
      versionId: 'v2',
      pausedAtCreation: true,
      nextDagRunCreateAfter: at('2024-05-02T00:00:00.000Z'),
      description: 'changed',
      parsedAt: at('2024-05-03T08:00:00.000Z'),
    });
    await store.saveParsedDag(reparsed);
    const dag = await store.getDag('kept');
    expect(dag).toEqual({
      ...reparsed.dag,
      isPaused: false,
      lastAutomatedDataInterval: last,
      nextDagRunCreateAfter: at('2024-05-03T00:00:00.000Z'),
    });
    expect(dag?.latestVersionId).toBe('v2');
    expect((await store.getDagVersion('kept', 'v1'))?.versionId).toBe('v1');
  });

  it('takes the parsed next run time when the stored one is null and the DAG is (re)activated', async () => {
    await store.saveParsedDag(parsedDag('revived', { nextDagRunCreateAfter: null }));
    expect((await store.getDag('revived'))?.nextDagRunCreateAfter).toBeNull();
    await store.deactivateDags(['revived']);
    expect((await store.getDag('revived'))?.isActive).toBe(false);

    await store.saveParsedDag(parsedDag('revived', { nextDagRunCreateAfter: at('2024-06-01T00:00:00.000Z') }));
    const dag = await store.getDag('revived');
    expect(dag?.isActive).toBe(true);
    expect(dag?.nextDagRunCreateAfter).toEqual(at('2024-06-01T00:00:00.000Z'));
  });

  it('takes the parsed next run time when the timetable changed', async () => {
    await store.saveParsedDag(parsedDag('rescheduled'));
    await store.updateDagSchedule(
      'rescheduled',
      { lastAutomatedDataInterval: interval('2024-05-01T00:00:00.000Z', '2024-05-02T00:00:00.000Z'), nextDagRunCreateAfter: at('2024-05-03T00:00:00.000Z') },
      null,
    );
    const hourly = serializedDag('rescheduled', { timetable: { type: 'cron_data_interval', cron: '0 * * * *', timezone: 'UTC' } });
    await store.saveParsedDag(parsedDag('rescheduled', { versionId: 'v2', serialized: hourly, nextDagRunCreateAfter: at('2024-05-02T01:00:00.000Z') }));
    expect((await store.getDag('rescheduled'))?.nextDagRunCreateAfter).toEqual(at('2024-05-02T01:00:00.000Z'));
  });

  it('never rewrites an existing version', async () => {
    await store.saveParsedDag(parsedDag('immutable', { versionId: 'same' }));
    const other = parsedDag('immutable', { versionId: 'same', serialized: serializedDag('immutable', { description: 'different' }) });
    await store.saveParsedDag(other);
    expect((await store.getDagVersion('immutable', 'same'))?.serialized.description).toBeNull();
  });

  it('refuses a serialized DAG over 350 KB, naming the DAG, and stores nothing', async () => {
    const serialized = serializedDag('too_big', { description: 'x'.repeat(360 * 1024) });
    const error = await store.saveParsedDag(parsedDag('too_big', { serialized })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializedDagTooLargeError);
    expect((error as Error).message).toContain('DAG "too_big"');
    expect(await store.getDag('too_big')).toBeNull();
  });

  it('lists every DAG ordered by id, active or not', async () => {
    for (const dagId of ['list_c', 'list_a', 'list_b']) await store.saveParsedDag(parsedDag(dagId));
    await store.deactivateDags(['list_b', 'list_unknown']);
    const listed = (await store.listDags()).filter((d) => d.dagId.startsWith('list_'));
    expect(listed.map((d) => [d.dagId, d.isActive])).toEqual([
      ['list_a', true],
      ['list_b', false],
      ['list_c', true],
    ]);
  });

  it('pauses and unpauses; an unknown DAG is not found', async () => {
    await store.saveParsedDag(parsedDag('pausable', { pausedAtCreation: false }));
    expect((await store.setDagPaused('pausable', true)).isPaused).toBe(true);
    expect((await store.getDag('pausable'))?.isPaused).toBe(true);
    const error = await store.setDagPaused('ghost', true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('"ghost"');
    expect(await store.getDag('ghost')).toBeNull();
  });

  describe('updateDagSchedule', () => {
    const first = interval('2024-05-01T00:00:00.000Z', '2024-05-02T00:00:00.000Z');
    const second = interval('2024-05-02T00:00:00.000Z', '2024-05-03T00:00:00.000Z');

    it('moves forward when the expected last interval matches, and can clear the next time', async () => {
      await store.saveParsedDag(parsedDag('sched'));
      await store.updateDagSchedule('sched', { lastAutomatedDataInterval: first, nextDagRunCreateAfter: first.end }, null);
      await store.updateDagSchedule('sched', { lastAutomatedDataInterval: second, nextDagRunCreateAfter: null }, first);
      const dag = await store.getDag('sched');
      expect(dag?.lastAutomatedDataInterval).toEqual(second);
      expect(dag?.nextDagRunCreateAfter).toBeNull();
    });

    it('is a conflict carrying the DAG when another scheduler moved it first', async () => {
      await store.saveParsedDag(parsedDag('sched_race'));
      await store.updateDagSchedule('sched_race', { lastAutomatedDataInterval: first, nextDagRunCreateAfter: first.end }, null);
      const stale = await store
        .updateDagSchedule('sched_race', { lastAutomatedDataInterval: first, nextDagRunCreateAfter: first.end }, null)
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect((stale as ConflictError<DagRecord>).current?.lastAutomatedDataInterval).toEqual(first);

      const wrongEnd = { start: first.start, end: second.end };
      const error = await store
        .updateDagSchedule('sched_race', { lastAutomatedDataInterval: second, nextDagRunCreateAfter: null }, wrongEnd)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((await store.getDag('sched_race'))?.lastAutomatedDataInterval).toEqual(first);
    });

    it('of two schedulers racing from the same interval exactly one wins', async () => {
      await store.saveParsedDag(parsedDag('sched_two'));
      const results = await Promise.allSettled([
        store.updateDagSchedule('sched_two', { lastAutomatedDataInterval: first, nextDagRunCreateAfter: first.end }, null),
        store.updateDagSchedule('sched_two', { lastAutomatedDataInterval: second, nextDagRunCreateAfter: second.end }, null),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(ConflictError);
    });

    it('on an unknown DAG is a conflict with current null', async () => {
      const error = await store
        .updateDagSchedule('sched_ghost', { lastAutomatedDataInterval: first, nextDagRunCreateAfter: null }, null)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError<DagRecord>).current).toBeNull();
      expect(await store.getDag('sched_ghost')).toBeNull();
    });
  });
});
