import { describe, expect, it } from 'vitest';
import {
  executionApiVersions,
  HEAD_API_VERSION,
  OLDEST_API_VERSION,
} from '../../../../src/http/execution-api/versioning/api-versions.ts';
import { EXECUTION_API_VERSION } from '../../../../src/http/execution-api-client.ts';

const headStart = {
  dagRun: {
    dagId: 'etl',
    runId: 'manual__2026-01-01T00:00:00.000Z',
    logicalDate: '2026-01-01T00:00:00.000Z',
    dataIntervalStart: '2025-12-31T00:00:00.000Z',
    dataIntervalEnd: '2026-01-01T00:00:00.000Z',
    runAfter: '2026-01-01T00:00:00.000Z',
    runType: 'manual',
    conf: {},
  },
  taskInstance: { taskId: 'extract', mapIndex: -1, tryNumber: 1, maxTries: 1 },
  params: {},
  upstreamXComs: {},
  heartbeatIntervalSeconds: 10,
};

describe('the released Execution API versions', () => {
  it('keeps head 2026-11-23 and the released 2026-11-22 and 2026-06-01, and the client speaks head', () => {
    expect(executionApiVersions.dates).toEqual(['2026-11-23', '2026-11-22', '2026-06-01']);
    expect(HEAD_API_VERSION).toBe('2026-11-23');
    expect(OLDEST_API_VERSION).toBe('2026-06-01');
    expect(EXECUTION_API_VERSION).toBe(HEAD_API_VERSION);
  });

  it('gives a 2026-06-01 client the start answer without dagRun.runAfter, and head the whole answer', () => {
    const old = executionApiVersions.responseFromHead('startTaskInstance', OLDEST_API_VERSION, headStart) as typeof headStart;
    const { runAfter: _runAfter, ...oldDagRun } = headStart.dagRun;
    expect(old).toEqual({ ...headStart, dagRun: oldDagRun });
    expect(executionApiVersions.responseFromHead('startTaskInstance', HEAD_API_VERSION, headStart)).toEqual(headStart);
  });

  it("reads a 2026-06-01 finish's retry as retryable", () => {
    const body = { state: 'failed', workerId: 'w', endDate: '2026-01-01T00:00:00Z', retry: false };
    expect(executionApiVersions.requestToHead('finishTaskInstance', OLDEST_API_VERSION, body)).toEqual({
      state: 'failed',
      workerId: 'w',
      endDate: '2026-01-01T00:00:00Z',
      retryable: false,
    });
    // A client of the old version that already sends the new name is taken at its word.
    expect(
      executionApiVersions.requestToHead('finishTaskInstance', OLDEST_API_VERSION, { state: 'failed', retryable: true, retry: false }),
    ).toEqual({ state: 'failed', retryable: true });
  });

  it('does not translate a head client', () => {
    const body = { state: 'failed', retry: false };
    expect(executionApiVersions.requestToHead('finishTaskInstance', HEAD_API_VERSION, body)).toEqual(body);
  });

  it('describes every change for the changelog', () => {
    for (const version of executionApiVersions.versions) {
      for (const change of version.changes) {
        expect(change.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        expect(change.description.length).toBeGreaterThan(40);
        expect(Object.keys({ ...change.requests, ...change.responses }).length).toBeGreaterThan(0);
      }
    }
  });
});
