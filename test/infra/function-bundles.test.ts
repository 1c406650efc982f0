import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeS3EventKey, s3ObjectEvent } from '../support/s3-events.ts';
import { FUNCTION_CATALOG, type FunctionSpec } from '../../functions/catalog.ts';
import {
  bundleFunction,
  FUNCTION_BUNDLE_FILE,
  FunctionBundleError,
  FUNCTION_HANDLER,
  functionCode,
  PARSE_CHILD_FILE,
  SDK_BUNDLE_FILE,
} from '../../infra/function-bundles.ts';
import { createDynamoDbClient, createS3Client, createSqsClient } from '../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../src/aws/dynamodb/index.ts';
import type { FunctionName } from '../../src/core/deployment/function-names.ts';
import { emulatorClientOptions, uniqueName } from '../support/aws.ts';

const run = promisify(execFile);
const specs = Object.values(FUNCTION_CATALOG);
const TOKEN_SECRET = 'bundle-test-token-secret-0123456789abcdef';

/**
 * Runs in a plain `node` child next to the bundles: imports one bundle as Lambda's runtime would, and
 * optionally invokes its handler with an event. The result goes to a file, since functions log to stdout.
 */
const RUNNER = `
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, resultFile, eventJson] = process.argv.slice(2);
const context = {
  functionName: 'updraft-bundle-test', functionVersion: '$LATEST', memoryLimitInMB: '1024', awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:updraft-bundle-test',
  logGroupName: '/aws/lambda/updraft-bundle-test', logStreamName: 'stream', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60000, done() {}, fail() {}, succeed() {},
};
const module = await import(pathToFileURL(bundle).href);
const out = { handler: typeof module.handler };
if (eventJson) out.result = await module.handler(JSON.parse(eventJson), context);
writeFileSync(resultFile, JSON.stringify(out));
// The AWS SDK's keep-alive sockets and esbuild's service would keep a plain node process waiting.
process.exit(0);
`;

interface Resources {
  table: string;
  bucket: string;
  queueUrl: string;
}

/** Each function's UPDRAFT_* variables, as the stack would set them (checked against the catalog's schema). */
function updraftEnvironment(name: FunctionName, resources: Resources): Record<string, string> {
  const common = { UPDRAFT_TABLE_NAME: resources.table };
  switch (name) {
    case 'scheduler':
      return { ...common, UPDRAFT_TASK_QUEUE_URL: resources.queueUrl, UPDRAFT_BUCKET: resources.bucket, UPDRAFT_TOKEN_SECRET: TOKEN_SECRET };
    case 'dag-processor':
      return { ...common, UPDRAFT_BUCKET: resources.bucket, UPDRAFT_PARSE_TIMEOUT_SECONDS: '120', UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION: 'false' };
    case 'worker':
      return { UPDRAFT_EXECUTION_API_URL: 'http://127.0.0.1:9/execution', UPDRAFT_BUCKET: resources.bucket };
    case 'execution-api':
      return { ...common, UPDRAFT_BUCKET: resources.bucket, UPDRAFT_TOKEN_SECRET: TOKEN_SECRET, UPDRAFT_TASK_QUEUE_URL: resources.queueUrl };
    case 'triggerer':
      return { UPDRAFT_EXECUTION_API_URL: 'http://127.0.0.1:9/execution', UPDRAFT_BUCKET: resources.bucket };
    case 'rest-api':
      // No Secrets Manager here: the layered config's jwt_secret stands in for UPDRAFT_API_JWT_SECRET_ID.
      return { ...common, UPDRAFT_BUCKET: resources.bucket, UPDRAFT__API_AUTH__JWT_SECRET: TOKEN_SECRET };
  }
}

/** The process environment of a function: what Lambda provides, with the emulators as the SDK's endpoints. */
function processEnvironment(spec: FunctionSpec, resources: Resources, home: string): NodeJS.ProcessEnv {
  const options = emulatorClientOptions();
  return {
    // esbuild-wasm starts its service as `node`, by name, as it would find /var/lang/bin/node in Lambda.
    PATH: process.env.PATH,
    HOME: home,
    // The DAG processor's workspace goes here, and is removed with the test's directory.
    TMPDIR: home,
    AWS_REGION: options.region,
    AWS_ACCESS_KEY_ID: options.credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials?.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
    AWS_ENDPOINT_URL_S3: options.s3Endpoint,
    AWS_ENDPOINT_URL_SQS: options.sqsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...updraftEnvironment(spec.name, resources),
  };
}

/** An S3 "Object Created" event as EventBridge delivers it (keys URL-encoded). */
function objectCreated(bucket: string, key: string) {
  return s3ObjectEvent('Object Created', bucket, encodeS3EventKey(key));
}

const DAG_FILE = `
import { dag, task } from 'updraft/sdk';
import { OWNER } from '../lib/owner.ts';

const extract = task(function extract(): number {
  return 1;
});

export default dag({ dagId: 'bundled_etl', tags: [OWNER], schedule: '@daily' }, () => {
  extract();
});
`;

const BROKEN_DAG_FILE = `
import { dag } from 'updraft/sdk';

const owner: string = readOwner(;
export default dag({ dagId: 'bundled_broken' }, () => {});
`;

describe('Lambda function bundles', () => {
  let work: string;
  let resources: Resources;
  const dirs = {} as Record<FunctionName, string>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'updraft-bundles-'));
    writeFileSync(join(work, 'run.mjs'), RUNNER);
    for (const spec of specs) {
      dirs[spec.name] = join(work, spec.name);
      bundleFunction(spec, dirs[spec.name]);
    }
    const options = emulatorClientOptions();
    resources = { table: uniqueName('bundles'), bucket: uniqueName('bundles').toLowerCase(), queueUrl: '' };
    await createMetastoreTable(createDynamoDbClient(options), resources.table);
    await createS3Client(options).send(new CreateBucketCommand({ Bucket: resources.bucket }));
    const queue = await createSqsClient(options).send(new CreateQueueCommand({ QueueName: uniqueName('bundles-tasks') }));
    resources.queueUrl = queue.QueueUrl ?? '';
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function runBundle(spec: FunctionSpec, event?: unknown): Promise<{ handler: string; result?: unknown }> {
    const resultFile = join(work, `${spec.name}-${uniqueName('result')}.json`);
    const args = [join(work, 'run.mjs'), join(dirs[spec.name], FUNCTION_BUNDLE_FILE), resultFile];
    if (event !== undefined) args.push(JSON.stringify(event));
    // Plain node, no tsx: exactly the files Lambda would get.
    await run(process.execPath, args, { cwd: dirs[spec.name], env: processEnvironment(spec, resources, work), timeout: 240_000 });
    return JSON.parse(readFileSync(resultFile, 'utf8')) as { handler: string; result?: unknown };
  }

  it('gives every function an environment its catalog schema accepts', () => {
    for (const spec of specs) {
      // Layered configuration (UPDRAFT__*) is not the schema's: parseUpdraftEnvironment leaves it out too.
      const plain = Object.fromEntries(Object.entries(updraftEnvironment(spec.name, resources)).filter(([key]) => !key.startsWith('UPDRAFT__')));
      expect(() => spec.environmentSchema.parse(plain), spec.name).not.toThrow();
    }
  });

  it.each(specs.map((spec) => [spec.name, spec] as const))('%s: the bundle starts cold in plain node and exports handler', async (_name, spec) => {
    expect(FUNCTION_HANDLER).toBe('index.handler');
    const outcome = await runBundle(spec);
    expect(outcome.handler).toBe('function');
  }, 240_000);

  it.each(specs.map((spec) => [spec.name, spec] as const))('%s: the bundle is minified ESM with no native esbuild left', (_name, spec) => {
    const code = readFileSync(join(dirs[spec.name], FUNCTION_BUNDLE_FILE), 'utf8');
    // Booleans, not toMatch: a failing match would print the whole megabyte.
    expect(code.startsWith("import { createRequire as __updraftCreateRequire } from 'node:module';")).toBe(true);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(/export\s*\{[^}]*\bas handler\b/.test(code.slice(-200_000)) || /export\s*\{\s*handler\b/.test(code.slice(-200_000))).toBe(true);
    // Minified: a megabyte-sized bundle on a few hundred lines (the banner and legal comments).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    expect(/require\(["']esbuild["']\)|from\s*["']esbuild["']/.test(code)).toBe(false);
    const map = JSON.parse(readFileSync(join(dirs[spec.name], `${FUNCTION_BUNDLE_FILE}.map`), 'utf8')) as { sources: string[] };
    // Paths relative to the repository, whatever the output directory: the asset hash depends on code only.
    expect(map.sources).toContain(spec.entry);
  });

  it('ships the DAG processor its parse child, a readable SDK and esbuild as WebAssembly', () => {
    const dir = dirs['dag-processor'];
    expect(/from\s*"esbuild-wasm"/.test(readFileSync(join(dir, FUNCTION_BUNDLE_FILE), 'utf8'))).toBe(true);
    expect(readFileSync(join(dir, PARSE_CHILD_FILE), 'utf8').length).toBeGreaterThan(1000);
    const sdk = readFileSync(join(dir, SDK_BUNDLE_FILE), 'utf8');
    expect(/^export \{/m.test(sdk)).toBe(true);
    expect(sdk.includes('function dag(')).toBe(true);
    expect(readdirSync(join(dir, 'node_modules', 'esbuild-wasm')).sort()).toEqual(
      ['LICENSE.md', 'bin', 'esbuild.wasm', 'lib', 'package.json', 'wasm_exec.js', 'wasm_exec_node.js'].sort(),
    );
    // Only the DAG processor carries them.
    expect(readdirSync(dirs.worker).sort()).toEqual([FUNCTION_BUNDLE_FILE, `${FUNCTION_BUNDLE_FILE}.map`]);
  });

  it('the DAG processor bundle parses an uploaded DAG file and records an import error for a broken one', async () => {
    const spec = FUNCTION_CATALOG['dag-processor'];
    const s3 = createS3Client(emulatorClientOptions());
    const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: key, Body: body }));
    await put('dags/lib/owner.ts', "export const OWNER = 'data team';\n");
    await put('dags/team a/etl.ts', DAG_FILE);
    await put('dags/broken.ts', BROKEN_DAG_FILE);

    const metastore = new DynamoDbMetastore({ client: createDynamoDbClient(emulatorClientOptions()), tableName: resources.table });
    const parsed = await runBundle(spec, objectCreated(resources.bucket, 'dags/team a/etl.ts'));
    // The import error, if any, says why a DAG was not saved.
    expect((await metastore.listImportErrors()).filter((error) => error.fileloc === 'team a/etl.ts')).toEqual([]);
    expect(parsed.result).toMatchObject({ action: 'processed', result: { fileloc: 'team a/etl.ts', savedDagIds: ['bundled_etl'] } });
    const broken = await runBundle(spec, objectCreated(resources.bucket, 'dags/broken.ts'));
    expect(broken.result).toMatchObject({ action: 'processed', result: { fileloc: 'broken.ts' } });

    const stored = await metastore.getDag('bundled_etl');
    expect(stored).toMatchObject({ dagId: 'bundled_etl', fileloc: 'team a/etl.ts', isActive: true, isPaused: false, tags: ['data team'] });
    const importError = (await metastore.listImportErrors()).find((error) => error.fileloc === 'broken.ts');
    expect(importError).toMatchObject({ fileloc: 'broken.ts', line: 4 });
    expect(importError?.message).toMatch(/Expected|Unexpected/);
  }, 480_000);

  it('the scheduler bundle runs a tick against the metastore', async () => {
    const outcome = await runBundle(FUNCTION_CATALOG.scheduler, { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(outcome.result).toMatchObject({ errors: 0, runsCreated: expect.any(Number) });
  }, 240_000);

  it('writes the same bytes into any output directory', () => {
    const again = join(work, 'worker-again');
    bundleFunction(FUNCTION_CATALOG.worker, again);
    for (const file of [FUNCTION_BUNDLE_FILE, `${FUNCTION_BUNDLE_FILE}.map`]) {
      expect(readFileSync(join(again, file)).equals(readFileSync(join(dirs.worker, file))), file).toBe(true);
    }
  }, 240_000);
});

describe('bundleFunction failures', () => {
  it('names the entry and the unresolved import when a function does not build', () => {
    const out = mkdtempSync(join(tmpdir(), 'updraft-bad-bundle-'));
    const spec = { ...FUNCTION_CATALOG.worker, entry: 'functions/no-such-function.ts' };
    try {
      expect(() => bundleFunction(spec, out)).toThrow(FunctionBundleError);
      expect(() => bundleFunction(spec, out)).toThrow(/functions\/no-such-function\.ts.*Could not resolve/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('functionCode', () => {
  function synth(outdir: string, names: FunctionName[], context: Record<string, unknown> = {}) {
    const app = new App({ outdir, context });
    const stack = new Stack(app, 'Bundles', { env: { account: '123456789012', region: 'us-east-1' } });
    for (const name of names) {
      new LambdaFunction(stack, name, {
        code: functionCode(FUNCTION_CATALOG[name]),
        handler: FUNCTION_HANDLER,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
      });
    }
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const keys: Record<string, string> = {};
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function') keys[id] = resource.Properties.Code?.S3Key ?? '';
    }
    return keys;
  }

  const outdirs: string[] = [];
  const outdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-cdk-'));
    outdirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  it('bundles nothing and stages nothing when the stack is not selected for bundling', () => {
    const dir = outdir();
    const keys = synth(dir, ['scheduler', 'worker', 'dag-processor'], { 'aws:cdk:bundling-stacks': [] });
    expect(new Set(Object.values(keys)).size).toBe(3);
    expect(readdirSync(dir).filter((entry) => entry.startsWith('asset.') || entry.startsWith('bundling-temp'))).toEqual([]);
  });

  it('hashes each function by its own bundle, the same in any cloud assembly', () => {
    const first = outdir();
    const keys = synth(first, ['scheduler', 'worker']);
    const keyOf = (name: string) => Object.entries(keys).find(([id]) => id.startsWith(name))?.[1] ?? '';
    const [scheduler, worker] = [keyOf('scheduler'), keyOf('worker')];
    // CDK caches staged assets by the JSON of their bundling options: each function must still get its own.
    expect(scheduler).not.toBe(worker);
    for (const key of [scheduler, worker]) {
      const asset = join(first, `asset.${key.replace(/\.zip$/, '')}`);
      expect(readdirSync(asset).sort()).toEqual([FUNCTION_BUNDLE_FILE, `${FUNCTION_BUNDLE_FILE}.map`]);
    }
    const again = synth(outdir(), ['worker']);
    expect(Object.values(again)).toEqual([worker]);
  }, 240_000);
});
