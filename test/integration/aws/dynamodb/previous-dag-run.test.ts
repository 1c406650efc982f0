import { beforeAll, describe, expect, it } from 'vitest';
import { at, createTestMetastore, dagRun, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
beforeAll(async () => {
  store = (await createTestMetastore('prev-run')).metastore;
});

describe('DynamoDbMetastore.listDagRuns: the previous run (logicalDateBefore, runTypes)', () => {
  it('answers the latest run strictly before a logical date, optionally of some run types only', async () => {
    const day1 = dagRun('prev', '2024-03-01T00:00:00.000Z');
    const day2Manual = dagRun('prev', '2024-03-02T00:00:00.000Z', { runId: 'manual__2024-03-02', runType: 'manual' });
    const day3 = dagRun('prev', '2024-03-03T00:00:00.000Z');
    const day3Manual = dagRun('prev', '2024-03-03T00:00:00.000Z', { runId: 'manual__2024-03-03', runType: 'manual' });
    // Another DAG whose id starts the same: its runs must never show up.
    const other = dagRun('prev_other', '2024-03-02T12:00:00.000Z');
    for (const run of [day1, day2Manual, day3, day3Manual, other]) await store.createDagRun(run);

    const previous = async (before: string, runTypes?: ('scheduled' | 'manual')[]) =>
      (await store.listDagRuns('prev', { logicalDateBefore: at(before), limit: 1, ...(runTypes ? { runTypes } : {}) })).map((r) => r.runId);

    // Strictly before: runs at the same logical date are not "previous".
    expect(await previous('2024-03-03T00:00:00.000Z')).toEqual([day2Manual.runId]);
    expect(await previous('2024-03-03T00:00:00.000Z', ['scheduled'])).toEqual([day1.runId]);
    expect(await previous('2024-03-01T00:00:00.000Z')).toEqual([]);
    expect(await previous('2024-03-04T00:00:00.000Z', ['scheduled'])).toEqual([day3.runId]);
    expect(await store.listDagRuns('prev', { logicalDateBefore: at('2024-03-03T00:00:00.001Z') })).toHaveLength(4);
    expect(await store.listDagRuns('prev', { runTypes: ['manual'] })).toEqual([
      expect.objectContaining({ runId: day3Manual.runId }),
      expect.objectContaining({ runId: day2Manual.runId }),
    ]);
    expect(await store.listDagRuns('prev', { runTypes: [] })).toEqual([]);
  });
});
