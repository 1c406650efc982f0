import { UpdraftError } from '../../core/errors.ts';

/** Reading a container's log stream from CloudWatch Logs failed for a reason other than "not there". */
export class ContainerLogReadError extends UpdraftError {
  constructor(logGroupName: string, logStreamName: string, reason: string, options?: { cause?: unknown }) {
    super(
      'container_log_read_failed',
      `Reading CloudWatch Logs stream "${logStreamName}" in log group "${logGroupName}" failed: ${reason}. ` +
        'Check that this role has logs:GetLogEvents on the log group, then try again.',
      options,
    );
  }
}
