import { CloudWatchLogsClient, GetLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ContainerLogReader } from '../../../../src/aws/cloudwatch-logs/container-log-reader.ts';
import { ContainerLogReadError } from '../../../../src/aws/cloudwatch-logs/errors.ts';

const TASK_ARN = 'arn:aws:ecs:us-west-2:111122223333:task/updraft/c13b4cb40f1f4fe4a2971f76ae5a47ad';
const STREAM = 'updraft/runner/c13b4cb40f1f4fe4a2971f76ae5a47ad';

const logs = mockClient(CloudWatchLogsClient);

function reader(): ContainerLogReader {
  return new ContainerLogReader(new CloudWatchLogsClient({ region: 'us-west-2' }), {
    logGroupName: '/updraft/fargate',
    streamPrefix: 'updraft',
    containerName: 'runner',
  });
}

/** Events as GetLogEvents returns them. */
function events(...messages: string[]) {
  return messages.map((message, i) => ({ timestamp: 1741944418103 + i, message, ingestionTime: 1741944419000 + i }));
}

const FORWARD = (n: number) => `f/3842917342101928374655019283746510293847561029384756/s${n}`;
const BACKWARD = 'b/38429173421019283746550192837465102938475610293847560/s';

beforeEach(() => logs.reset());

describe('ContainerLogReader', () => {
  it('names the awslogs stream <prefix>/<container>/<task id>', () => {
    expect(reader().streamNameFor(TASK_ARN)).toBe(STREAM);
    // Old-format ARNs have no cluster segment; the id is still the last one.
    expect(reader().streamNameFor('arn:aws:ecs:us-west-2:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef')).toBe(
      'updraft/runner/b99d40b3-5176-4f71-9a52-9dbd6f1cebef',
    );
  });

  it('reads every page from the head until the forward token repeats', async () => {
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: events('starting task extract', 'loaded dag example_dag'), nextForwardToken: FORWARD(1), nextBackwardToken: BACKWARD })
      .resolvesOnce({ events: [], nextForwardToken: FORWARD(2), nextBackwardToken: BACKWARD })
      .resolvesOnce({ events: events('done\n'), nextForwardToken: FORWARD(3), nextBackwardToken: BACKWARD })
      .resolvesOnce({ events: [], nextForwardToken: FORWARD(3), nextBackwardToken: BACKWARD });

    await expect(reader().readLines(TASK_ARN)).resolves.toEqual(['starting task extract', 'loaded dag example_dag', 'done']);

    const inputs = logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(4);
    expect(inputs[0]).toEqual({ logGroupName: '/updraft/fargate', logStreamName: STREAM, startFromHead: true, nextToken: undefined, limit: 10_000 });
    expect(inputs.slice(1).map((i) => i.nextToken)).toEqual([FORWARD(1), FORWARD(2), FORWARD(3)]);
  });

  it('stops at maxLines', async () => {
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: events('a', 'b'), nextForwardToken: FORWARD(1) })
      .resolvesOnce({ events: events('c', 'd'), nextForwardToken: FORWARD(2) })
      .resolves({ events: events('e'), nextForwardToken: FORWARD(3) });

    await expect(reader().readLines(TASK_ARN, { maxLines: 3 })).resolves.toEqual(['a', 'b', 'c']);
    const inputs = logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.limit)).toEqual([3, 1]);
  });

  it('returns null when the stream or the group does not exist', async () => {
    logs.on(GetLogEventsCommand).rejects(
      new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'The specified log stream does not exist.' }),
    );

    await expect(reader().readLines(TASK_ARN)).resolves.toBeNull();
  });

  it('reports other failures with the stream named', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: logs:GetLogEvents'), { name: 'AccessDeniedException' });
    logs.on(GetLogEventsCommand).rejects(denied);

    const error = (await reader().readLines(TASK_ARN).catch((e: unknown) => e)) as ContainerLogReadError;
    expect(error).toBeInstanceOf(ContainerLogReadError);
    expect(error.code).toBe('container_log_read_failed');
    expect(error.message).toContain(STREAM);
    expect(error.message).toContain('AccessDeniedException');
  });
});
