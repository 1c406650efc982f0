import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { taskIdOf } from '../ecs/task-arn.ts';
import { ContainerLogReadError } from './errors.ts';

export interface ContainerLogReaderSettings {
  logGroupName: string;
  /** The `awslogs-stream-prefix` of the container's log configuration. */
  streamPrefix: string;
  containerName: string;
}

const DEFAULT_MAX_LINES = 10_000;
/** GetLogEvents returns at most 10,000 events a call. */
const MAX_PAGE = 10_000;
/** A stream can answer empty pages with fresh tokens for a while; this bounds that walk. */
const MAX_PAGES = 1_000;

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : 'Error';
}

/** Reads what a Fargate container wrote to its awslogs stream, for the task's log view. */
export class ContainerLogReader {
  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly settings: ContainerLogReaderSettings,
  ) {}

  /** awslogs stream name: `<prefix>/<container>/<ecs task id>` (task id = last segment of the ARN). */
  streamNameFor(taskArn: string): string {
    return `${this.settings.streamPrefix}/${this.settings.containerName}/${taskIdOf(taskArn)}`;
  }

  /** All lines of the stream, oldest first, up to `maxLines` (default 10,000); null when the stream or group does not exist. */
  async readLines(taskArn: string, options: { maxLines?: number } = {}): Promise<string[] | null> {
    const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    const logStreamName = this.streamNameFor(taskArn);
    const lines: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES && lines.length < maxLines; page++) {
      let response;
      try {
        response = await this.client.send(
          new GetLogEventsCommand({
            logGroupName: this.settings.logGroupName,
            logStreamName,
            startFromHead: true,
            nextToken: token,
            limit: Math.min(MAX_PAGE, maxLines - lines.length),
          }),
        );
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return null;
        const message = error instanceof Error ? error.message : String(error);
        throw new ContainerLogReadError(this.settings.logGroupName, logStreamName, `${errorName(error)}: ${message}`, {
          cause: error,
        });
      }
      for (const event of response.events ?? []) {
        if (lines.length >= maxLines) break;
        lines.push((event.message ?? '').replace(/\r?\n$/, ''));
      }
      // The end of the stream is where the forward token comes back unchanged.
      const next = response.nextForwardToken;
      if (next === undefined || next === token) break;
      token = next;
    }
    return lines;
  }
}
