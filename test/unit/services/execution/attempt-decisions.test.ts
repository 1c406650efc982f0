import { describe, expect, it } from 'vitest';
import { taskInstanceDurationSeconds } from '../../../../src/core/model/records.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';
import {
  finishConflictError,
  finishedStateFor,
  heartbeatConflictError,
  holdsAttempt,
  startConflictError,
  type AttemptActor,
} from '../../../../src/services/execution/attempt-decisions.ts';
import { AttemptConflictError, ForbiddenError } from '../../../../src/services/execution/errors.ts';

const actor: AttemptActor = { dagId: 'etl', runId: 'manual__1', taskId: 'load', mapIndex: -1, tryNumber: 2, workerId: 'w1' };

function stored(state: TaskInstanceState, tryNumber = 2, workerId: string | null = 'w1') {
  return { state, tryNumber, workerId };
}

describe('holdsAttempt', () => {
  it('is true only for the running attempt of this worker', () => {
    expect(holdsAttempt(stored('running'), actor)).toBe(true);
    expect(holdsAttempt(stored('running', 2, 'w2'), actor)).toBe(false);
    expect(holdsAttempt(stored('running', 3), actor)).toBe(false);
    expect(holdsAttempt(stored('success'), actor)).toBe(false);
  });
});

describe('startConflictError', () => {
  it('treats a repeated start by the same worker as a success', () => {
    expect(startConflictError(stored('running'), actor)).toBeNull();
  });

  it('answers running_elsewhere when another worker holds the attempt', () => {
    const error = startConflictError(stored('running', 2, 'w2'), actor);
    expect(error).toBeInstanceOf(AttemptConflictError);
    expect(error).toMatchObject({ reason: 'running_elsewhere', currentState: 'running' });
    expect(error?.message).toContain('"w2"');
  });

  it.each(['success', 'failed', 'up_for_retry', 'none', 'scheduled'] as const)('answers invalid_state from %s', (state) => {
    expect(startConflictError(stored(state), actor)).toMatchObject({ reason: 'invalid_state', currentState: state });
  });

  it('refuses a token of an older attempt as forbidden', () => {
    const error = startConflictError(stored('queued', 3, null), actor);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error?.message).toContain('attempt 2');
    expect(error?.message).toContain('attempt 3');
  });
});

describe('heartbeatConflictError', () => {
  it('always tells the runner to stop, with the current state and why', () => {
    expect(heartbeatConflictError(stored('failed'), actor)).toMatchObject({ reason: 'not_running', currentState: 'failed' });
    expect(heartbeatConflictError(stored('running', 2, 'w2'), actor).message).toContain('"w2" holds it');
    expect(heartbeatConflictError(stored('queued', 3, null), actor).message).toContain('attempt 3');
  });
});

describe('finishedStateFor', () => {
  it('keeps success and skipped', () => {
    expect(finishedStateFor({ state: 'success', retryable: true }, { tryNumber: 1, maxTries: 3 })).toBe('success');
    expect(finishedStateFor({ state: 'skipped', retryable: true }, { tryNumber: 1, maxTries: 3 })).toBe('skipped');
  });

  it('retries a retryable failure while tries are left', () => {
    expect(finishedStateFor({ state: 'failed', retryable: true }, { tryNumber: 1, maxTries: 2 })).toBe('up_for_retry');
    expect(finishedStateFor({ state: 'failed', retryable: true }, { tryNumber: 2, maxTries: 2 })).toBe('failed');
    expect(finishedStateFor({ state: 'failed', retryable: true }, { tryNumber: 1, maxTries: 1 })).toBe('failed');
  });

  it('never retries a non-retryable failure (FailNoRetry)', () => {
    expect(finishedStateFor({ state: 'failed', retryable: false }, { tryNumber: 1, maxTries: 5 })).toBe('failed');
  });
});

describe('finishConflictError', () => {
  it('treats the same finish, already applied, as a success', () => {
    expect(finishConflictError(stored('success'), actor, 'success')).toBeNull();
    expect(finishConflictError(stored('up_for_retry'), actor, 'up_for_retry')).toBeNull();
    expect(finishConflictError(stored('failed', 2, null), actor, 'failed')).toBeNull();
  });

  it('refuses a different outcome or another worker with invalid_state', () => {
    expect(finishConflictError(stored('success'), actor, 'failed')).toMatchObject({ reason: 'invalid_state', currentState: 'success' });
    expect(finishConflictError(stored('success', 2, 'w2'), actor, 'success')).toMatchObject({ reason: 'invalid_state' });
    expect(finishConflictError(stored('running', 2, 'w2'), actor, 'success')?.message).toContain('"w2"');
    expect(finishConflictError(stored('none'), actor, 'success')).toMatchObject({ currentState: 'none' });
  });

  it('refuses a token of an older attempt as forbidden', () => {
    expect(finishConflictError(stored('queued', 3, null), actor, 'success')).toBeInstanceOf(ForbiddenError);
  });
});

describe('taskInstanceDurationSeconds', () => {
  it('is the time from start to end, and unknown without both', () => {
    const startDate = new Date('2026-01-01T00:00:00Z');
    expect(taskInstanceDurationSeconds({ startDate, endDate: new Date('2026-01-01T00:01:30.500Z') })).toBe(90.5);
    expect(taskInstanceDurationSeconds({ startDate: null, endDate: new Date() })).toBeNull();
    expect(taskInstanceDurationSeconds({ startDate, endDate: null })).toBeNull();
  });
});
