import { describe, expect, it } from 'vitest';
import { decideExternalRun } from '../../../../src/services/triggerer/external-run-trigger.ts';
import { httpTriggerUrl } from '../../../../src/services/triggerer/http-trigger.ts';
import { wildcardPrefix, wildcardToRegExp } from '../../../../src/core/s3-wildcard.ts';
import { deferredFinish } from '../../../../src/services/task-runner/deferral.ts';
import { resumeOf } from '../../../../src/services/task-runner/attempt-info.ts';
import { parseTriggerMessage, serializeTriggerMessage } from '../../../../src/aws/sqs/trigger-queue.ts';

describe('wildcards (fnmatch)', () => {
  it('match keys as Airflow does, and list under the literal prefix', () => {
    const csv = wildcardToRegExp('drops/2025-*/part-?.csv');
    expect(csv.test('drops/2025-01-01/part-1.csv')).toBe(true);
    expect(csv.test('drops/2025-01-01/part-10.csv')).toBe(false);
    expect(wildcardToRegExp('a/[!x]b.txt').test('a/cb.txt')).toBe(true);
    expect(wildcardToRegExp('a/[!x]b.txt').test('a/xb.txt')).toBe(false);
    expect(wildcardToRegExp('a.b+c').test('aXb+c')).toBe(false);
    expect(wildcardPrefix('drops/2025-*/x')).toBe('drops/2025-');
    expect(wildcardPrefix('exact/key')).toBe('exact/key');
  });
});

describe('external run decisions', () => {
  const kwargs = { dagId: 'up', logicalDate: '2025-01-01T00:00:00Z', allowedStates: ['success'], failedStates: ['failed'] };
  const run = (state: 'running' | 'success' | 'failed') => ({ dagRun: { runId: 'r', state }, taskInstances: [] });

  it('waits for a run, fires on an allowed state and fails on a failed one', () => {
    expect(decideExternalRun(kwargs, { dagRun: null, taskInstances: [] })).toMatchObject({ kind: 'waiting' });
    expect(decideExternalRun(kwargs, run('running'))).toMatchObject({ kind: 'waiting' });
    expect(decideExternalRun(kwargs, run('success'))).toMatchObject({ kind: 'fired', payload: { state: 'success' } });
    expect(decideExternalRun(kwargs, run('failed'))).toMatchObject({ kind: 'failed', error: expect.stringMatching(/is failed/) });
  });

  it('with task ids, fires once all are allowed and fails once any is failed', () => {
    const tasks = { ...kwargs, taskIds: ['a', 'b'], failedStates: ['upstream_failed'] };
    const states = (a: string, b: string) => ({
      dagRun: { runId: 'r', state: 'running' as const },
      taskInstances: [
        { taskId: 'a', mapIndex: -1, state: a as 'success' },
        { taskId: 'b', mapIndex: -1, state: b as 'success' },
      ],
    });
    expect(decideExternalRun(tasks, states('success', 'running'))).toMatchObject({ kind: 'waiting' });
    expect(decideExternalRun(tasks, states('success', 'success'))).toMatchObject({ kind: 'fired' });
    expect(decideExternalRun(tasks, states('success', 'upstream_failed'))).toMatchObject({ kind: 'failed', error: expect.stringMatching(/"b"/) });
  });
});

describe('http trigger URLs', () => {
  it('come from the url, or from the connection as HttpHook builds them', () => {
    const connection = { connId: 'api', connType: 'http', host: 'api.example.com', schema: 'https', port: 8443, login: null, password: null, extra: {} };
    expect(httpTriggerUrl({ url: 'https://x/y' }, null)).toBe('https://x/y');
    expect(httpTriggerUrl({ connection: 'api', endpoint: '/ready' }, connection as never)).toBe('https://api.example.com:8443/ready');
    expect(httpTriggerUrl({ connection: 'api', endpoint: 'v1/ready' }, { ...connection, host: 'http://h/', port: null } as never)).toBe('http://h/v1/ready');
  });
});

describe('the runner side of a deferral', () => {
  const now = new Date('2025-01-01T10:00:00Z');
  const info = { logicalDate: new Date('2024-12-31T00:00:00Z') };

  it('turns a timedelta into a datetime, fills an external run\'s logical date, and the timeout into an instant', () => {
    const finish = deferredFinish({ trigger: { kind: 'timedelta', kwargs: { seconds: 300 } }, method: 'next', kwargs: { a: 1 }, timeoutSeconds: 3600 }, now, info);
    expect(finish).toEqual({
      state: 'deferred',
      deferral: {
        trigger: { kind: 'datetime', kwargs: { moment: '2025-01-01T10:05:00.000Z' } },
        nextMethod: 'next',
        nextKwargs: { a: 1 },
        triggerTimeout: '2025-01-01T11:00:00.000Z',
      },
    });
    const external = deferredFinish({ trigger: { kind: 'external_run', kwargs: { dagId: 'up' } }, method: 'm', kwargs: null, timeoutSeconds: null }, now, info);
    expect(external.deferral).toMatchObject({ trigger: { kwargs: { dagId: 'up', logicalDate: '2024-12-31T00:00:00.000Z' } }, triggerTimeout: null });
  });

  it('reads ctx.resume from the start answer: the event apart from the task\'s own kwargs', () => {
    expect(resumeOf({ nextMethod: null, nextKwargs: null })).toBeNull();
    expect(resumeOf({ nextMethod: 'execute_complete', nextKwargs: { page: 2, event: { k: 1 } } })).toEqual({
      method: 'execute_complete',
      event: { k: 1 },
      kwargs: { page: 2 },
    });
  });
});

describe('trigger queue messages', () => {
  it('round-trip, and a foreign body names the field', () => {
    const workload = {
      kind: 'RunTriggers' as const,
      triggers: [{ ti: { dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1, tryNumber: 1 }, trigger: { kind: 's3_key', kwargs: { bucket: 'b' } }, token: 'x', versionId: 'v', bundleKey: 'k' }],
      sentAt: '2025-01-01T00:00:00.000Z',
    };
    expect(parseTriggerMessage(serializeTriggerMessage(workload))).toEqual(workload);
    expect(() => parseTriggerMessage('{"kind":"RunTriggers","triggers":[{}],"sentAt":"x"}')).toThrow(/triggers\.0\.ti/);
    expect(() => parseTriggerMessage('nope')).toThrow(/not JSON/);
  });
});

describe('external run stop states (a deferrable externalTaskSensor)', () => {
  const kwargs = { dagId: 'up', logicalDate: '2025-01-01T00:00:00Z', allowedStates: ['success'], failedStates: [], stopStates: ['failed', 'skipped'] };
  const tasks = (a: string, b: string) => ({
    dagRun: { runId: 'r', state: 'running' as const },
    taskInstances: [
      { taskId: 'a', mapIndex: -1, state: a as 'success' },
      { taskId: 'b', mapIndex: -1, state: b as 'success' },
    ],
  });

  it('fire as soon as any listed task reaches one, with that state, instead of failing the waiting task', () => {
    const both = { ...kwargs, taskIds: ['a', 'b'] };
    expect(decideExternalRun(both, tasks('failed', 'running'))).toMatchObject({ kind: 'fired', payload: { state: 'failed' } });
    expect(decideExternalRun(both, tasks('success', 'skipped'))).toMatchObject({ kind: 'fired', payload: { state: 'skipped' } });
    expect(decideExternalRun(both, tasks('success', 'running'))).toMatchObject({ kind: 'waiting' });
  });

  it('fire on the run state too when no task is named', () => {
    expect(decideExternalRun(kwargs, { dagRun: { runId: 'r', state: 'failed' }, taskInstances: [] })).toMatchObject({
      kind: 'fired',
      payload: { state: 'failed' },
    });
  });
});
