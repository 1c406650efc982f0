import { describe, expect, it } from 'vitest';
import {
  dag,
  DagDefinitionError,
  DeadlineReference,
  defaultRunNotificationText,
  empty,
  httpNotifier,
  snsDeliveryOf,
  snsNotifier,
  type Notifier,
} from 'updraft/sdk';

const build = () => void empty({ taskId: 'done' });
const topicArn = 'arn:aws:sns:eu-west-1:123456789012:etl-alerts';

describe('dag() run callbacks', () => {
  it('keeps onSuccess and onFailure as lists, functions and notifiers alike', () => {
    const alert = snsNotifier({ topicArn });
    const fn = () => {};
    const d = dag({ dagId: 'etl', onSuccess: fn, onFailure: [alert, httpNotifier({ connId: 'slack' })] }, build);
    expect(d.onSuccess).toEqual([fn]);
    expect(d.onFailure).toHaveLength(2);
    expect(d.deadline).toBeNull();
    expect(dag({ dagId: 'plain' }, build).onFailure).toEqual([]);
  });

  it('refuses a task-only notifier and values that are not callbacks, naming the option', () => {
    const taskOnly: Notifier = { name: 'console', notify: () => {} };
    expect(() => dag({ dagId: 'etl', onFailure: [() => {}, taskOnly as never] }, build)).toThrow(
      /DAG "etl": onFailure\[1\] must be a function .* got a notifier without notifyRun/,
    );
    expect(() => dag({ dagId: 'etl', onSuccess: 'page me' as never }, build)).toThrow(DagDefinitionError);
  });

  it('validates the deadline: reference, interval in seconds, and a callback', () => {
    const ok = dag({ dagId: 'etl', deadline: { reference: DeadlineReference.DAGRUN_QUEUED_AT, interval: 900, callback: () => {} } }, build);
    expect(ok.deadline).toMatchObject({ reference: { kind: 'dagrun_queued_at' }, intervalSeconds: 900 });
    expect(ok.deadline?.callbacks).toHaveLength(1);
    expect(() => dag({ dagId: 'etl', deadline: { reference: 'queued' as never, interval: 900, callback: () => {} } }, build)).toThrow(
      /deadline.reference must be DeadlineReference.DAGRUN_QUEUED_AT/,
    );
    expect(() => dag({ dagId: 'etl', deadline: { reference: DeadlineReference.DAGRUN_LOGICAL_DATE, interval: '15m' as never, callback: () => {} } }, build)).toThrow(
      /deadline.interval must be a number of seconds/,
    );
    expect(() => dag({ dagId: 'etl', deadline: { reference: DeadlineReference.DAGRUN_LOGICAL_DATE, interval: 60, callback: [] } }, build)).toThrow(
      /deadline.callback is required/,
    );
    expect(() => dag({ dagId: 'etl', deadline: { reference: DeadlineReference.DAGRUN_LOGICAL_DATE, interval: 60, callback: () => {}, grace: 1 } as never }, build)).toThrow(
      /unknown option\(s\) grace/,
    );
    expect(() => DeadlineReference.FIXED_DATETIME('not a date')).toThrow(/FIXED_DATETIME needs a Date/);
    expect(DeadlineReference.FIXED_DATETIME('2025-06-01T06:00:00Z')).toEqual({ kind: 'fixed_datetime', at: new Date('2025-06-01T06:00:00Z') });
  });
});

describe('snsNotifier', () => {
  it('carries its delivery for the runner, with the region taken from the ARN unless given', () => {
    expect(snsDeliveryOf(snsNotifier({ topicArn, subject: 'ETL alert' }))).toEqual({ kind: 'sns', topicArn, region: 'eu-west-1', subject: 'ETL alert' });
    expect(snsDeliveryOf(snsNotifier({ topicArn, region: 'us-east-1' }))?.region).toBe('us-east-1');
    expect(snsDeliveryOf(httpNotifier({ connId: 'slack' }))).toBeNull();
  });

  it('refuses what SNS would refuse, at definition time', () => {
    expect(() => snsNotifier({ topicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' })).toThrow(/topicArn must be an SNS topic ARN/);
    expect(() => snsNotifier({ topicArn, subject: 'line one\nline two' })).toThrow(/subject must be 1 to 100 printable ASCII/);
    expect(() => snsNotifier({ topicArn, subject: 'x'.repeat(101) })).toThrow(/subject/);
    expect(() => snsNotifier({ topicArn, region: 'Europe' })).toThrow(/region must be an AWS region/);
    expect(() => snsNotifier({ topicArn, message: '' })).toThrow(/message must be a non-empty string/);
  });

  it('cannot publish by itself outside a worker', () => {
    const notifier = snsNotifier({ topicArn });
    expect(() => notifier.notify({} as never, {} as never)).toThrow(/publishes from an Updraft worker/);
  });
});

describe('defaultRunNotificationText', () => {
  it('names the DAG, the run, the state and the reason, or the missed deadline', () => {
    const ctx = { dagId: 'etl', runId: 'scheduled__2025-01-01T00:00:00+00:00' };
    expect(defaultRunNotificationText(ctx, { event: 'failure', state: 'failed', reason: 'task_failure', deadline: null })).toBe(
      'DAG etl, run scheduled__2025-01-01T00:00:00+00:00: failed (task_failure).',
    );
    expect(
      defaultRunNotificationText(ctx, { event: 'deadline', state: 'running', reason: 'deadline_missed', deadline: new Date('2025-01-01T06:15:00Z') }),
    ).toBe('DAG etl, run scheduled__2025-01-01T00:00:00+00:00: missed its deadline and is still running. It was due at 2025-01-01T06:15:00.000Z.');
  });
});
