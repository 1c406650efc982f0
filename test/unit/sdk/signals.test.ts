import { describe, expect, it } from 'vitest';
import { FailNoRetry, SkipTask, taskSignalOf } from 'updraft/sdk';

describe('task signals', () => {
  it('recognises SkipTask and FailNoRetry', () => {
    expect(taskSignalOf(new SkipTask('no data for today'))).toBe('skip');
    expect(taskSignalOf(new FailNoRetry('bad input'))).toBe('fail_no_retry');
  });

  it('treats any other error as an ordinary failure', () => {
    expect(taskSignalOf(new Error('boom'))).toBeNull();
    expect(taskSignalOf(Object.assign(new Error('conflict'), { code: 'conflict' }))).toBeNull();
    expect(taskSignalOf('skip')).toBeNull();
    expect(taskSignalOf(undefined)).toBeNull();
    expect(taskSignalOf(null)).toBeNull();
  });

  it('recognises signals of another SDK copy, by registry symbol or by code', () => {
    const branded = { [Symbol.for('updraft.taskSignal')]: 'skip' };
    expect(taskSignalOf(branded)).toBe('skip');
    expect(taskSignalOf({ code: 'fail_no_retry', message: 'from a copy' })).toBe('fail_no_retry');
    expect(taskSignalOf({ code: 'skip_task' })).toBe('skip');
    expect(taskSignalOf({ code: 'toString' })).toBeNull();
  });

  it('are Errors with a stable name, code and message', () => {
    const skip = new SkipTask();
    expect(skip).toBeInstanceOf(Error);
    expect(skip).toMatchObject({ name: 'SkipTask', code: 'skip_task', message: 'The task asked to be skipped.' });
    const fail = new FailNoRetry('table "x" does not exist', { cause: new Error('404') });
    expect(fail).toMatchObject({ name: 'FailNoRetry', code: 'fail_no_retry', message: 'table "x" does not exist' });
    expect((fail.cause as Error).message).toBe('404');
  });
});
