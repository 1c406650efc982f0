import { describe, expect, it } from 'vitest';
import { taskInstanceDurationSeconds } from '../../../../src/core/model/records.ts';
import type { TaskInstanceState } from '../../../../src/core/model/states.ts';
import { ValidationError } from '../../../../src/core/errors.ts';
import type { FinishAttemptRequest } from '../../../../src/services/execution/attempt-messages.ts';
import {
  checkFinishRequest,
  finishConflictError,
  finishNeedsRecord,
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

  it('honours an explicit up_for_retry while tries are left, and fails the last try', () => {
    expect(finishedStateFor({ state: 'up_for_retry', retryable: true }, { tryNumber: 1, maxTries: 2 })).toBe('up_for_retry');
    expect(finishedStateFor({ state: 'up_for_retry', retryable: true }, { tryNumber: 2, maxTries: 2 })).toBe('failed');
  });

  it('parks reschedules and deferrals whatever the tries left', () => {
    expect(finishedStateFor({ state: 'up_for_reschedule', retryable: true }, { tryNumber: 1, maxTries: 1 })).toBe('up_for_reschedule');
    expect(finishedStateFor({ state: 'deferred', retryable: true }, { tryNumber: 3, maxTries: 3 })).toBe('deferred');
  });
});

describe('checkFinishRequest', () => {
  const base = { workerId: 'w1', endDate: new Date('2026-03-01T10:00:00Z'), retryable: true };
  const deferral = { trigger: { kind: 'datetime', kwargs: { moment: '2026-03-01T11:00:00Z' } }, nextMethod: 'resume', nextKwargs: null, triggerTimeout: null };
  const fieldOf = (request: FinishAttemptRequest) => {
    try {
      checkFinishRequest(request);
      return null;
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).field;
    }
  };

  it('accepts each state with the fields that belong to it', () => {
    expect(fieldOf({ ...base, state: 'success', returnValue: 1, assetEvents: [{ uri: 's3://b/k/', extra: {} }] })).toBeNull();
    expect(fieldOf({ ...base, state: 'failed', error: 'boom' })).toBeNull();
    expect(fieldOf({ ...base, state: 'up_for_reschedule', rescheduleDate: base.endDate })).toBeNull();
    expect(fieldOf({ ...base, state: 'deferred', deferral })).toBeNull();
  });

  it('names the field that does not belong to the state, or that the state needs', () => {
    expect(fieldOf({ ...base, state: 'skipped', returnValue: 1 })).toBe('returnValue');
    expect(fieldOf({ ...base, state: 'failed', assetEvents: [{ uri: 's3://b/k/', extra: {} }] })).toBe('assetEvents');
    expect(fieldOf({ ...base, state: 'up_for_reschedule' })).toBe('rescheduleDate');
    expect(fieldOf({ ...base, state: 'success', rescheduleDate: base.endDate })).toBe('rescheduleDate');
    expect(fieldOf({ ...base, state: 'deferred' })).toBe('deferral');
    expect(fieldOf({ ...base, state: 'up_for_retry', deferral })).toBe('deferral');
  });

  it('reads the stored record first only where the answer depends on it', () => {
    expect(finishNeedsRecord({ ...base, state: 'success' })).toBe(false);
    expect(finishNeedsRecord({ ...base, state: 'deferred', deferral })).toBe(false);
    expect(finishNeedsRecord({ ...base, state: 'success', returnValue: null })).toBe(true);
    expect(finishNeedsRecord({ ...base, state: 'success', assetEvents: [{ uri: 's3://b/k/', extra: {} }] })).toBe(true);
    expect(finishNeedsRecord({ ...base, state: 'up_for_retry' })).toBe(true);
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
