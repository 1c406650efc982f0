import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import type { ExecuteTaskWorkload } from '../../../../src/core/model/workload.ts';
import { parseWorkloadMessage, serializeWorkloadMessage } from '../../../../src/aws/sqs/workload-message.ts';

const workload: ExecuteTaskWorkload = {
  kind: 'ExecuteTask',
  ti: { dagId: 'etl', runId: 'manual__2025-01-01T00:00:00+00:00', taskId: 'extract', mapIndex: -1, tryNumber: 1 },
  versionId: 'v-abc',
  bundleKey: 'bundles/etl/v-abc.mjs',
  logKey: 'logs/dag_id=etl/run_id=manual__2025-01-01T00:00:00+00:00/task_id=extract/attempt=1.log',
  token: 'tok',
  queuedAt: '2025-01-01T00:00:01.000Z',
};

function parseError(body: string): ValidationError {
  try {
    parseWorkloadMessage(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected parseWorkloadMessage to reject the body');
}

describe('parseWorkloadMessage', () => {
  it('returns the workload that was serialized', () => {
    expect(parseWorkloadMessage(serializeWorkloadMessage(workload))).toEqual(workload);
  });

  it('ignores fields it does not know, so a newer scheduler does not break an older worker', () => {
    const body = JSON.stringify({ ...workload, addedLater: true });
    expect(parseWorkloadMessage(body)).toEqual(workload);
  });

  it('rejects a body that is not JSON', () => {
    expect(parseError('not json{').message).toMatch(/not JSON/);
  });

  it('rejects another kind of message', () => {
    const error = parseError(JSON.stringify({ ...workload, kind: 'RunTrigger' }));
    expect(error.field).toBe('kind');
  });

  it('names the missing or invalid field', () => {
    const { token: _token, ...withoutToken } = workload;
    expect(parseError(JSON.stringify(withoutToken)).field).toBe('token');
    expect(parseError(JSON.stringify({ ...workload, ti: { ...workload.ti, tryNumber: 0 } })).field).toBe('ti.tryNumber');
    expect(parseError(JSON.stringify({ ...workload, queuedAt: 'yesterday' })).message).toMatch(/queuedAt/);
  });
});
