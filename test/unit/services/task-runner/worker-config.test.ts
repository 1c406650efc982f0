import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.ts';
import { loadWorkerConfig } from '../../../../src/services/task-runner/worker-config.ts';

describe('loadWorkerConfig', () => {
  it('reads the API URL and the bucket and ignores variables that are not ours', () => {
    expect(loadWorkerConfig({ UPDRAFT_EXECUTION_API_URL: 'https://api.example.com', UPDRAFT_BUCKET: 'b', PATH: '/bin' })).toEqual({
      executionApiUrl: 'https://api.example.com',
      bucket: 'b',
    });
  });

  it('rejects unknown UPDRAFT_ variables by name', () => {
    expect(() =>
      loadWorkerConfig({ UPDRAFT_EXECUTION_API_URL: 'https://a.example.com', UPDRAFT_BUCKET: 'b', UPDRAFT_BUKET: 'x' }),
    ).toThrow(/unknown variable UPDRAFT_BUKET/);
  });

  it('names a missing or invalid variable', () => {
    expect(() => loadWorkerConfig({ UPDRAFT_BUCKET: 'b' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ UPDRAFT_EXECUTION_API_URL: 'not a url', UPDRAFT_BUCKET: 'b' })).toThrow(/UPDRAFT_EXECUTION_API_URL/);
  });
});
