import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../../../src/services/execution/errors.ts';
import { assertTokenForRun, assertTokenForTaskInstance } from '../../../../src/services/execution/token-scope.ts';

const token = { dagId: 'etl', runId: 'r1', taskId: 'load', mapIndex: -1, tryNumber: 1 };

describe('token scope', () => {
  it('lets a token act on its own task instance only', () => {
    expect(() => assertTokenForTaskInstance(token, { ...token })).not.toThrow();
    expect(() => assertTokenForTaskInstance(token, { ...token, taskId: 'extract' })).toThrow(ForbiddenError);
    expect(() => assertTokenForTaskInstance(token, { ...token, mapIndex: 0 })).toThrow(ForbiddenError);
  });

  it('lets a token read any task instance of its run, and none of another run', () => {
    expect(() => assertTokenForRun(token, { ...token, taskId: 'extract' })).not.toThrow();
    expect(() => assertTokenForRun(token, { ...token, runId: 'r2' })).toThrow(/own DAG run/);
    expect(() => assertTokenForRun(token, { ...token, dagId: 'other' })).toThrow(ForbiddenError);
  });
});
