import { AuthorizationErrorException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDagCallbackWorkload } from '../../../../src/core/model/workload.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { dag, DeadlineReference, empty, snsNotifier, type TaskCallbackInfo, type TaskContext } from '../../../../src/sdk/index.ts';
import { runDagCallback } from '../../../../src/services/task-runner/dag-callbacks.ts';
import { createSnsPublish } from '../../../../src/services/task-runner/sns-publisher.ts';
import { runTaskCallbacks } from '../../../../src/services/task-runner/task-callbacks.ts';

const topicArn = 'arn:aws:sns:eu-west-1:123456789012:etl-alerts';
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const publish = createSnsPublish(() => new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }));
const metadata = { httpStatusCode: 403, requestId: 'b6a3e0c1-0000-4000-8000-000000000000' };

function taskHarness() {
  const lines: string[] = [];
  const options = {
    log: { info: (m: string) => lines.push(`INFO ${m}`), error: (m: string) => lines.push(`ERROR ${m}`) },
    contextFor: (signal: AbortSignal) =>
      ({ dagId: 'etl', taskId: 'load', runId: 'manual__2025-01-01', mapIndex: -1, tryNumber: 3, signal }) as unknown as TaskContext,
    timeoutMs: 1000,
    publishSns: publish,
  };
  return { lines, options };
}
const failure: TaskCallbackInfo = { event: 'failure', state: 'failed', error: 'ValueError: bad row', maxTries: 3 };

describe('snsNotifier as a task callback', () => {
  it('publishes the default subject and text to the topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: '5f1a2c3d-0000-4000-8000-000000000001' });
    const { lines, options } = taskHarness();
    await runTaskCallbacks([snsNotifier({ topicArn })], failure, options);
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: topicArn,
        Subject: 'Updraft: etl.load failed',
        Message: 'Task load of DAG etl, run manual__2025-01-01, try 3 of 3: failed. Error: ValueError: bad row',
      },
    ]);
    expect(lines).toEqual(['INFO Running 1 on_failure_callback.']);
  });

  it('logs an AuthorizationError (the role may not publish) and a missing topic, never throwing', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(
        new AuthorizationErrorException({
          message: `User: arn:aws:sts::123456789012:assumed-role/updraft-worker/fn is not authorized to perform: SNS:Publish on resource: ${topicArn} because no identity-based policy allows the SNS:Publish action`,
          $metadata: metadata,
        }),
      )
      .rejectsOnce(new NotFoundException({ message: 'Topic does not exist', $metadata: { ...metadata, httpStatusCode: 404 } }));
    const { lines, options } = taskHarness();
    await runTaskCallbacks([snsNotifier({ topicArn }), snsNotifier({ topicArn, message: 'second' })], failure, options);
    expect(lines[1]).toMatch(
      /^ERROR The on_failure_callback 1 \(notifier snsNotifier\(etl-alerts\)\) failed; the task's state is unchanged: NotifierError: snsNotifier: publishing to .* failed \(AuthorizationErrorException: User: .* is not authorized .*\)\. The worker's role may not publish to this topic: add its ARN to the stack's notificationTopicArns/,
    );
    expect(lines[2]).toMatch(/^ERROR The on_failure_callback 2 .* \(NotFoundException: Topic does not exist\)\. The topic does not exist in eu-west-1/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('cleans a computed subject SNS would refuse instead of losing the notification', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'id' });
    const { options } = taskHarness();
    await runTaskCallbacks([snsNotifier({ topicArn, subject: (ctx) => `Échec\n${'x'.repeat(200)} ${ctx.dagId}` })], failure, options);
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject).toMatch(/^\?chec\?x+\.\.\.$/);
    expect(subject).toHaveLength(100);
  });
});

describe('snsNotifier as a DAG-run callback', () => {
  const lines: Array<{ level: string; message: string }> = [];
  const logger: Logger = {
    debug: () => {},
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
  };
  const bundle = {
    default: dag({ dagId: 'etl', onFailure: snsNotifier({ topicArn, subject: 'ETL failed' }) }, () => void empty({ taskId: 'done' })),
  };
  const workload: RunDagCallbackWorkload = {
    kind: 'RunDagCallback',
    dagId: 'etl',
    runId: 'scheduled__2025-01-01T00:00:00+00:00',
    versionId: 'v1',
    bundleKey: 'bundles/etl.mjs',
    event: 'failure',
    reason: 'task_failure',
    token: 'unused',
    run: {
      state: 'failed',
      runType: 'scheduled',
      logicalDate: '2025-01-01T00:00:00.000Z',
      dataIntervalStart: '2024-12-31T00:00:00.000Z',
      dataIntervalEnd: '2025-01-01T00:00:00.000Z',
      queuedAt: '2025-01-01T00:00:05.000Z',
      startDate: '2025-01-01T00:00:06.000Z',
      endDate: '2025-01-01T00:03:00.000Z',
      conf: {},
    },
    sentAt: '2025-01-01T00:03:00.000Z',
  };
  const deps = { apiBaseUrl: 'http://127.0.0.1:9', logger, bundleLoader: { load: async () => bundle }, publishSns: publish };

  it('publishes the run text', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'id' });
    expect(await runDagCallback(workload, deps)).toEqual({ succeeded: 1, failed: 0, skipped: null });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: topicArn,
      Subject: 'ETL failed',
      Message: 'DAG etl, run scheduled__2025-01-01T00:00:00+00:00: failed (task_failure).',
    });
  });

  it("publishes a task's deadline alert naming the late task instance", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'id' });
    const deadline = { reference: DeadlineReference.TASK_STARTED_AT, interval: 600, callback: snsNotifier({ topicArn }) };
    const withTaskDeadline = { default: dag({ dagId: 'etl' }, () => void empty({ taskId: 'load', deadline })) };
    const late: RunDagCallbackWorkload = {
      ...workload,
      event: 'deadline',
      reason: 'deadline_missed',
      deadlineAt: '2025-01-01T00:16:00.000Z',
      task: { taskId: 'load', mapIndex: 4, tryNumber: 2, state: 'running' },
      run: { ...workload.run, state: 'running', endDate: null },
    };
    expect(await runDagCallback(late, { ...deps, bundleLoader: { load: async () => withTaskDeadline } })).toEqual({ succeeded: 1, failed: 0, skipped: null });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: topicArn,
      Subject: 'Updraft: etl.load missed its deadline',
      Message: 'DAG etl, run scheduled__2025-01-01T00:00:00+00:00: task load[4] missed its deadline and is still running. It was due at 2025-01-01T00:16:00.000Z.',
    });
  });

  it('logs a refused publish and answers it as failed', async () => {
    lines.length = 0;
    sns.on(PublishCommand).rejects(new AuthorizationErrorException({ message: 'not authorized to perform: SNS:Publish', $metadata: metadata }));
    expect(await runDagCallback(workload, deps)).toEqual({ succeeded: 0, failed: 1, skipped: null });
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      expect.stringMatching(/ERROR The DAG on_failure_callback 1 \(notifier snsNotifier\(etl-alerts\)\) failed; the run's state is unchanged: NotifierError: .*notificationTopicArns/),
    ]);
  });
});
