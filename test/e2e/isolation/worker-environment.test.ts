/**
 * The hand-over behind the end-to-end proof: what WorkerPool gives a worker process, and what is left
 * in that process's environment once the worker has read its settings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { takeWorkerSettings, workerProcessEnv, type WorkerProcessEnvironment } from '../../../src/local/worker-pool.ts';

const environment: WorkerProcessEnvironment = {
  executionApiUrl: 'http://127.0.0.1:4100',
  queueUrl: 'http://127.0.0.1:4200/000000000000/updraft-tasks',
  queueArn: 'arn:aws:sqs:us-east-1:000000000000:updraft-tasks',
  bucket: 'updraft',
  sqsEndpoint: 'http://127.0.0.1:4200',
  s3Endpoint: 'http://127.0.0.1:4200',
  region: 'us-east-1',
  accessKeyId: 'emulatorkey',
  secretAccessKey: 'emulatorsecret',
};

const parentVariables = {
  AWS_ACCESS_KEY_ID: 'parentkey',
  AWS_SECRET_ACCESS_KEY: 'parentsecret',
  AWS_PROFILE: 'admin',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
  UPDRAFT_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  UPDRAFT_TABLE: 'updraft',
  UPDRAFT_CONN_WAREHOUSE: 'postgres://warehouse',
};

afterEach(() => {
  for (const name of Object.keys(parentVariables)) delete process.env[name];
});

describe('the local worker process environment', () => {
  it('passes the emulator credentials only as UPDRAFT_LOCAL_* and none of the parent AWS or metastore settings', () => {
    Object.assign(process.env, parentVariables);
    const env = workerProcessEnv(environment, 'worker-3');
    const names = Object.keys(env);
    expect(names.filter((name) => name.startsWith('AWS_')).sort()).toEqual([
      'AWS_EC2_METADATA_DISABLED',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ]);
    expect(names).not.toContain('UPDRAFT_DYNAMODB_ENDPOINT');
    expect(names).not.toContain('UPDRAFT_TABLE');
    expect(Object.values(env)).not.toContain('http://127.0.0.1:8000');
    expect(env).toMatchObject({
      UPDRAFT_LOCAL_ACCESS_KEY_ID: 'emulatorkey',
      UPDRAFT_LOCAL_SECRET_ACCESS_KEY: 'emulatorsecret',
      UPDRAFT_LOCAL_REGION: 'us-east-1',
      UPDRAFT_LOCAL_WORKER_NAME: 'worker-3',
      // Connections are for tasks, as the environment secrets backend promises.
      UPDRAFT_CONN_WAREHOUSE: 'postgres://warehouse',
    });
  });

  it('reads the settings once and leaves task code no credentials, endpoints or worker-only variables', () => {
    const env: NodeJS.ProcessEnv = { ...workerProcessEnv(environment, 'worker-1'), AWS_SESSION_TOKEN: 'stray', AWS_REGION: 'eu-west-1' };
    const taken = takeWorkerSettings(env);
    expect(taken).toEqual({ ok: true, settings: { ...environment, workerName: 'worker-1' } });
    expect(Object.keys(env).filter((name) => name.startsWith('AWS_') || name.startsWith('UPDRAFT_LOCAL_')).sort()).toEqual([
      'AWS_EC2_METADATA_DISABLED',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ]);
    expect(Object.values(env)).not.toContain('emulatorsecret');
    expect(env.UPDRAFT_EXECUTION_API_URL).toBe('http://127.0.0.1:4100');
  });

  it('names what is missing when the process was not started by the pool, and still scrubs', () => {
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'someone', UPDRAFT_LOCAL_REGION: 'us-east-1' };
    const taken = takeWorkerSettings(env);
    expect(taken.ok).toBe(false);
    expect(!taken.ok && taken.missing).toContain('UPDRAFT_LOCAL_SECRET_ACCESS_KEY');
    expect(!taken.ok && taken.missing).not.toContain('UPDRAFT_LOCAL_REGION');
    expect(env).toEqual({});
  });
});
