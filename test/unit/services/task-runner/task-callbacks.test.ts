import { describe, expect, it } from 'vitest';
import type { TaskCallback, TaskCallbackInfo, TaskContext } from '../../../../src/sdk/index.ts';
import { callbackEventFor, runTaskCallbacks } from '../../../../src/services/task-runner/task-callbacks.ts';

const info: TaskCallbackInfo = { event: 'success', state: 'success', error: null, maxTries: 1 };

function harness(timeoutMs = 1000) {
  const lines: string[] = [];
  const signals: AbortSignal[] = [];
  const options = {
    log: { info: (m: string) => lines.push(`INFO ${m}`), error: (m: string) => lines.push(`ERROR ${m}`) },
    contextFor: (signal: AbortSignal) => {
      signals.push(signal);
      return { taskId: 'load', signal } as unknown as TaskContext;
    },
    timeoutMs,
  };
  return { lines, signals, options };
}

describe('runTaskCallbacks', () => {
  it('runs functions and notifiers in order, each with the context and the info', async () => {
    const { lines, options } = harness();
    const calls: string[] = [];
    const callbacks: TaskCallback[] = [
      async (ctx, got) => {
        await Promise.resolve();
        calls.push(`first ${ctx.taskId} ${got.state}`);
      },
      { name: 'pager', notify: (ctx, got) => void calls.push(`second ${ctx.taskId} ${got.event}`) },
    ];
    await runTaskCallbacks(callbacks, info, options);
    expect(calls).toEqual(['first load success', 'second load success']);
    expect(lines).toEqual(['INFO Running 2 on_success_callbacks.']);
  });

  it('logs a callback that throws and still runs the next one, never throwing itself', async () => {
    const { lines, options } = harness();
    const calls: string[] = [];
    await runTaskCallbacks(
      [
        function alert() {
          throw new Error('the pager is down');
        },
        { name: 'slack', notify: () => Promise.reject(new Error('404')) },
        () => void calls.push('third'),
      ],
      { event: 'failure', state: 'failed', error: 'Error: boom', maxTries: 1 },
      options,
    );
    expect(calls).toEqual(['third']);
    expect(lines[1]).toMatch(/^ERROR The on_failure_callback 1 \(function alert\) failed; the task's state is unchanged: Error: the pager is down/);
    expect(lines[2]).toMatch(/^ERROR The on_failure_callback 2 \(notifier slack\) failed; the task's state is unchanged: Error: 404/);
  });

  it('abandons a callback past its time limit, aborts its signal, and goes on', async () => {
    const { lines, signals, options } = harness(5);
    const calls: string[] = [];
    await runTaskCallbacks(
      [
        (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => setImmediate(resolve))),
        () => void calls.push('next'),
      ],
      { event: 'retry', state: 'up_for_retry', error: 'Error: x', maxTries: 2 },
      options,
    );
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    expect(calls).toEqual(['next']);
    expect(lines[1]).toMatch(/^ERROR The on_retry_callback 1 \(an anonymous function\) failed; the task's state is unchanged: CallbackTimeoutError: The callback did not finish within 0.005s/);
  });

  it('does nothing and logs nothing without callbacks', async () => {
    const { lines, options } = harness();
    await runTaskCallbacks([], info, options);
    expect(lines).toEqual([]);
  });
});

describe('callbackEventFor', () => {
  it('maps a reported end to the callback Airflow runs', () => {
    expect(callbackEventFor({ state: 'success' }, 1, 1)).toEqual({ event: 'success', state: 'success', error: null });
    expect(callbackEventFor({ state: 'failed', retryable: true, error: 'Error: x' }, 1, 3)).toEqual({ event: 'retry', state: 'up_for_retry', error: 'Error: x' });
    expect(callbackEventFor({ state: 'failed', retryable: true, error: 'Error: x' }, 3, 3)).toEqual({ event: 'failure', state: 'failed', error: 'Error: x' });
    expect(callbackEventFor({ state: 'failed', retryable: false, error: 'FailNoRetry: x' }, 1, 3)?.event).toBe('failure');
    expect(callbackEventFor({ state: 'skipped' }, 1, 1)).toBeNull();
    expect(callbackEventFor({ state: 'up_for_reschedule' }, 1, 1)).toBeNull();
    expect(callbackEventFor({ state: 'deferred' }, 1, 1)).toBeNull();
  });
});
