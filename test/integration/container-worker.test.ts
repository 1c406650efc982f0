/**
 * The fargate executor's container runner: the same runner as the Lambda worker, fed from its
 * environment, against the real Execution API (DynamoDB Local) and S3 (fauxqs). The last part builds
 * the container bundle and runs it as the image's command would.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { S3ObjectStore } from '../../src/aws/s3/object-store.ts';
import type { ExecuteTaskWorkload } from '../../src/core/model/workload.ts';
import { silentLogger } from '../../src/core/ports/logger.ts';
import { runContainerWorkload } from '../../src/services/task-runner/container-entry.ts';
import { buildContainerBundle } from '../../scripts/build-container.ts';
import { emulatorClientOptions, uniqueName } from '../support/aws.ts';
import { createRunnerHarness, taskStarted } from './services/task-runner/runner-harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let h: Awaited<ReturnType<typeof createRunnerHarness>>;
let bucket: string;
let store: S3ObjectStore;
let s3: ReturnType<typeof createS3Client>;

beforeAll(async () => {
  h = await createRunnerHarness('container-worker');
  // The container reaches S3 the way the local runtime tells it to: its own bucket, named in its environment.
  s3 = createS3Client(emulatorClientOptions());
  bucket = uniqueName('container-worker');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new S3ObjectStore({ client: s3, bucket });
});

afterAll(async () => {
  s3?.destroy();
  await h?.close();
});

/** Queues an attempt and puts its DAG bundle in the container's bucket. */
async function queued(taskId: string): Promise<ExecuteTaskWorkload> {
  const workload = await h.queue(await h.seedRun(), taskId);
  const bundle = await h.objectStore.get(workload.bundleKey);
  await store.put(workload.bundleKey, bundle!, 'text/javascript');
  return workload;
}

/** The environment the fargate executor's local stand-in gives the container. */
function containerEnv(workload: ExecuteTaskWorkload, apiUrl = h.apiUrl): Record<string, string> {
  const options = emulatorClientOptions();
  return {
    UPDRAFT_WORKLOAD: JSON.stringify(workload),
    UPDRAFT_EXECUTION_API_URL: apiUrl,
    UPDRAFT_BUCKET: bucket,
    UPDRAFT_LOCAL_S3_ENDPOINT: options.s3Endpoint!,
    UPDRAFT_LOCAL_REGION: options.region!,
    UPDRAFT_LOCAL_ACCESS_KEY_ID: options.credentials!.accessKeyId,
    UPDRAFT_LOCAL_SECRET_ACCESS_KEY: options.credentials!.secretAccessKey,
  };
}

describe('runContainerWorkload', () => {
  it('runs the attempt from its environment, writes its log to the bucket and exits 0', async () => {
    const workload = await queued('extract');
    const env = containerEnv(workload);

    const code = await runContainerWorkload(env, { logger: silentLogger, signals: new EventEmitter() });

    expect(code).toBe(0);
    expect((await h.ti(workload))?.state).toBe('success');
    expect((await h.xcom(workload, 'row_count'))?.value).toBe(3);
    expect(await store.getText(workload.logKey)).toContain('extracting');
    // The emulator credentials are gone before task code could read them.
    expect(Object.keys(env).filter((key) => key.startsWith('UPDRAFT_LOCAL_'))).toEqual([]);
  });

  it('exits 0 for a task that failed: the attempt was reported, and is up for retry', async () => {
    const workload = await queued('flaky');
    const code = await runContainerWorkload(containerEnv(workload), { logger: silentLogger, signals: new EventEmitter() });
    expect(code).toBe(0);
    expect((await h.ti(workload))?.state).toBe('up_for_retry');
    expect(await store.getText(workload.logKey)).toContain('the warehouse is not reachable');
  });

  it('exits 1 and leaves the attempt queued when the Execution API cannot be reached', async () => {
    const workload = await queued('extract');
    const code = await runContainerWorkload(containerEnv(workload, 'http://127.0.0.1:9'), {
      logger: silentLogger,
      signals: new EventEmitter(),
    });
    expect(code).toBe(1);
    expect((await h.ti(workload))?.state).toBe('queued');
  });

  it('on SIGTERM, stops the task, reports the attempt failed and exits 0', { timeout: 15_000 }, async () => {
    const workload = await queued('watched');
    const signals = new EventEmitter();
    const started = taskStarted('watched');
    const running = runContainerWorkload(containerEnv(workload), { logger: silentLogger, signals });
    await started;
    signals.emit('SIGTERM');

    expect(await running).toBe(0);
    const ti = await h.ti(workload);
    expect(ti?.state).toBe('failed');
    expect(await store.getText(workload.logKey)).toContain(
      'ContainerStoppedError: The container running this task was told to stop (SIGTERM from ECS',
    );
  });
});

describe('the container image', () => {
  it('copies only sources that exist and that .dockerignore does not exclude', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM --platform=\$BUILDPLATFORM node:24-slim AS build$/m);
    expect(dockerfile).toMatch(/^FROM node:24-slim$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "\/app\/container-worker\.mjs"\]$/m);
    const sources = dockerfile
      .split('\n')
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources).toEqual(['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'functions', 'sdk/python', 'scripts/build-container.ts']);
    const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `${source} exists`).toBe(true);
      expect(ignored.filter((pattern) => pattern === source || source.startsWith(`${pattern}/`)), `${source} is not ignored`).toEqual([]);
    }
  });

  it('builds a bundle that refuses a bad environment with a clear message and exit code 1', async () => {
    const out = await mkdtemp(join(tmpdir(), 'container-build-'));
    const built = await buildContainerBundle(out);
    expect(built.files).toEqual(expect.arrayContaining(['container-worker.mjs', 'sdk/python/updraft_task.py', 'sdk/python/updraft_execution_api.py']));

    const bad = await runNode(built.bundle, { UPDRAFT_BUCKET: 'b' });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain(
      'The task container configuration is not valid: UPDRAFT_WORKLOAD: Invalid input: expected string, received undefined; UPDRAFT_EXECUTION_API_URL',
    );

    // The same bundle runs a real attempt, importing the DAG bundle from S3 as the image would.
    const workload = await queued('extract');
    const good = await runNode(built.bundle, containerEnv(workload));
    expect(good.code, good.output).toBe(0);
    expect((await h.ti(workload))?.state).toBe('success');
    expect(good.output).toContain('"message":"Container attempt ended"');
  });
});

function runNode(bundle: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
