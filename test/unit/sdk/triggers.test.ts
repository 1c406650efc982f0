import { describe, expect, it } from 'vitest';
import {
  dag,
  dateTimeTrigger,
  deferralOf,
  defineTrigger,
  externalRunTrigger,
  httpTrigger,
  InvalidTriggerError,
  s3KeyTrigger,
  task,
  TaskDeferred,
  taskSignalOf,
  timeDeltaTrigger,
  triggersOfDag,
} from '../../../src/sdk/index.ts';

describe('built-in triggers', () => {
  it('are plain JSON specs', () => {
    expect(dateTimeTrigger('2025-01-01T06:00:00+02:00')).toEqual({ kind: 'datetime', kwargs: { moment: '2025-01-01T04:00:00.000Z' } });
    expect(timeDeltaTrigger(90)).toEqual({ kind: 'timedelta', kwargs: { seconds: 90 } });
    expect(s3KeyTrigger({ key: 's3://landing/orders/*.csv', wildcardMatch: true })).toEqual({
      kind: 's3_key',
      kwargs: { bucket: 'landing', key: 'orders/*.csv', wildcardMatch: true },
    });
    expect(externalRunTrigger({ dagId: 'upstream' })).toEqual({
      kind: 'external_run',
      kwargs: { dagId: 'upstream', allowedStates: ['success'], failedStates: ['failed'] },
    });
    expect(externalRunTrigger({ dagId: 'upstream', taskIds: ['load'], logicalDate: '2025-01-01T00:00:00Z' }).kwargs).toEqual({
      dagId: 'upstream',
      taskIds: ['load'],
      logicalDate: '2025-01-01T00:00:00.000Z',
      allowedStates: ['success'],
      failedStates: [],
    });
    expect(httpTrigger({ connection: 'api', endpoint: '/ready', expectStatus: 200 })).toEqual({
      kind: 'http',
      kwargs: { method: 'GET', connection: 'api', endpoint: '/ready', expectStatus: [200] },
    });
  });

  it('refuse arguments they cannot work with, naming them', () => {
    expect(() => dateTimeTrigger('2025-01-01T06:00:00')).toThrow(/with a zone/);
    expect(() => timeDeltaTrigger(-1)).toThrow(InvalidTriggerError);
    expect(() => s3KeyTrigger({ key: 'orders.csv' })).toThrow(/needs a "bucket"/);
    expect(() => s3KeyTrigger({ bucket: 'a', key: 's3://b/k' })).toThrow(/names bucket "b"/);
    expect(() => externalRunTrigger({ dagId: '' })).toThrow(/dagId/);
    expect(() => httpTrigger({ url: 'ftp://x' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => httpTrigger({ url: 'https://x', expectStatus: 99 })).toThrow(/expectStatus/);
  });
});

describe('custom triggers', () => {
  it('are registered by name and found on the DAG objects of the file', () => {
    const ready = defineTrigger<{ id: string }>({ name: 'sdk_test_ready', poll: ({ id }) => ({ payload: id }) });
    expect(ready({ id: 'x' })).toEqual({ kind: 'sdk_test_ready', kwargs: { id: 'x' } });
    const d = dag({ dagId: 'with_trigger' }, () => {
      task({ taskId: 'a' }, () => 1)();
    });
    expect(triggersOfDag(d).get('sdk_test_ready')?.poll).toBe(ready.definition.poll);
    expect(triggersOfDag({}).size).toBe(0);
  });

  it('need a valid name that is not a built-in kind, and a poll function', () => {
    expect(() => defineTrigger({ name: 'has space', poll: () => null })).toThrow(/not valid/);
    expect(() => defineTrigger({ name: 's3_key', poll: () => null })).toThrow(/built-in/);
    expect(() => defineTrigger({ name: 'no_poll', poll: undefined as never })).toThrow(/"poll" must be a function/);
  });
});

describe('TaskDeferred', () => {
  it('carries the deferral and is recognised across SDK copies by its code', () => {
    const signal = new TaskDeferred({ trigger: timeDeltaTrigger(60), kwargs: { page: 2 }, timeout: 600 });
    expect(taskSignalOf(signal)).toBe('defer');
    expect(deferralOf(signal)).toEqual({ trigger: { kind: 'timedelta', kwargs: { seconds: 60 } }, method: 'execute_complete', kwargs: { page: 2 }, timeoutSeconds: 600 });
    const foreign = { code: 'task_deferred', trigger: { kind: 'x', kwargs: {} }, method: 'next' };
    expect(deferralOf(foreign)).toEqual({ trigger: { kind: 'x', kwargs: {} }, method: 'next', kwargs: null, timeoutSeconds: null });
    expect(deferralOf(new Error('no'))).toBeNull();
  });

  it('refuses a missing trigger or a bad timeout', () => {
    expect(() => new TaskDeferred({} as never)).toThrow(/needs \{ trigger \}/);
    expect(() => new TaskDeferred({ trigger: timeDeltaTrigger(1), timeout: 0 })).toThrow(/positive number of seconds/);
  });
});
