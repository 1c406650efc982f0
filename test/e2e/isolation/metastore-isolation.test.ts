/**
 * Issue #3: locally, task code runs in a worker process that has no metastore endpoint and no
 * credentials. A DAG whose tasks try to read and write the metastore directly, with the AWS SDK's
 * default configuration, gets nowhere, and the run's state is only what the orchestrator decided.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../src/aws/clients.ts';
import type { DagRunKey } from '../../../src/core/model/keys.ts';
import { LOCAL_CREDENTIALS } from '../../../src/local/emulators.ts';
import { LOCAL_RESOURCE_NAMES, type LocalStack } from '../../../src/local/local-stack.ts';
import {
  returnValue,
  startTestStack,
  taskStates,
  triggerAndStart,
  waitForRunEnd,
  type OutputTail,
} from '../local-stack/stack-harness.ts';

interface Attempt {
  succeeded: boolean;
  errorName: string | null;
  message: string | null;
}

const workDir = mkdtempSync(join(tmpdir(), 'updraft-e2e-isolation-'));
const dagsFolder = join(workDir, 'dags');
// Workers inherit HOME: an empty one keeps a developer's own ~/.aws out of the test (those credentials
// would not name the local metastore either, but the SDK would then try real AWS).
const emptyHome = join(workDir, 'home');
const originalHome = process.env.HOME;

let stack: LocalStack;
let output: OutputTail;
let key: DagRunKey;

beforeAll(async () => {
  mkdirSync(dagsFolder);
  mkdirSync(emptyHome);
  process.env.HOME = emptyHome;
  const sdkEntry = createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb');
  const fixture = readFileSync(new URL('./dags/metastore-attack.ts', import.meta.url), 'utf8');
  writeFileSync(
    join(dagsFolder, 'metastore-attack.ts'),
    fixture.replace("from '@aws-sdk/client-dynamodb'", `from ${JSON.stringify(sdkEntry)}`),
  );
  ({ stack, output } = await startTestStack({ dagsFolder }));
  await stack.dagSync.syncAll();
  expect(await stack.metastore.listImportErrors()).toEqual([]);
  key = await triggerAndStart(stack, { dagId: 'metastore_attack' });
  const run = await waitForRunEnd(stack, key, { output, timeoutMs: 60_000 });
  expect(run.state).toBe('success');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  process.env.HOME = originalHome;
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

function workerPids(): number[] {
  return [...stack.workers.processes.values()].map((child) => child.pid!);
}

describe('task code cannot touch the metastore (local mode)', () => {
  it('ends every attacking task as the DAG defines, decided by the orchestrator alone', async () => {
    expect(await taskStates(stack, key)).toEqual({
      probe_metastore: 'success/1',
      mark_self_success: 'success/1',
      bash_env: 'success/1',
    });
  });

  it('gives the TaskFlow task process no credentials and no metastore endpoint', async () => {
    const evidence = (await returnValue(stack, key, 'probe_metastore')) as {
      pid: number;
      environment: Record<string, string>;
      listTables: Attempt;
    };
    // The task really ran inside a local worker process, whose environment is the one under test.
    expect(workerPids()).toContain(evidence.pid);
    const names = Object.keys(evidence.environment).sort();
    expect(names.filter((name) => name.startsWith('AWS_'))).toEqual([
      'AWS_EC2_METADATA_DISABLED',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ]);
    expect(names.filter((name) => name.startsWith('UPDRAFT_LOCAL_'))).toEqual([]);
    const dynamoDbAddress = new URL(stack.emulators.endpoints.dynamodb).host;
    const leaks = Object.entries(evidence.environment).filter(
      ([, value]) =>
        value.includes(dynamoDbAddress) ||
        value === LOCAL_CREDENTIALS.accessKeyId ||
        value === LOCAL_CREDENTIALS.secretAccessKey,
    );
    expect(leaks).toEqual([]);
    expect(evidence.listTables).toEqual({
      succeeded: false,
      errorName: 'CredentialsProviderError',
      message: expect.stringContaining('Could not load credentials'),
    });
  });

  it('refuses the task that marks its own task instance success, and leaves the item as the orchestrator wrote it', async () => {
    const evidence = (await returnValue(stack, key, 'mark_self_success')) as { pid: number; updateItem: Attempt };
    expect(workerPids()).toContain(evidence.pid);
    expect(evidence.updateItem).toEqual({
      succeeded: false,
      errorName: 'CredentialsProviderError',
      message: expect.stringContaining('Could not load credentials'),
    });

    const dynamo = createDynamoDbClient({
      region: stack.emulators.endpoints.region,
      dynamodbEndpoint: stack.emulators.endpoints.dynamodb,
      credentials: { ...LOCAL_CREDENTIALS },
    });
    const { Items: items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: LOCAL_RESOURCE_NAMES.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `RUN#${key.dagId}#${key.runId}` },
      }),
    );
    expect(items.map((item) => item.sk).sort()).toEqual([
      'TI#bash_env#-1',
      'TI#mark_self_success#-1',
      'TI#probe_metastore#-1',
    ]);
    expect(items.filter((item) => 'tamperedBy' in item)).toEqual([]);

    for (const ti of await stack.metastore.listTaskInstances(key)) {
      // Each attempt was started by a worker's start call and finished through the Execution API.
      expect(ti, ti.taskId).toMatchObject({ state: 'success', tryNumber: 1, maxTries: 1 });
      expect(ti.workerId, ti.taskId).toMatch(/:worker-\d+$/);
      expect(ti.startDate!.getTime(), ti.taskId).toBeGreaterThanOrEqual(ti.queuedAt!.getTime());
      expect(ti.endDate!.getTime(), ti.taskId).toBeGreaterThanOrEqual(ti.startDate!.getTime());
    }
    const attacker = (await stack.metastore.getTaskInstance({ ...key, taskId: 'mark_self_success', mapIndex: -1 }))!;
    expect(Number(attacker.workerId!.split(':')[1])).toBe(evidence.pid);
  });

  it('gives bash tasks none of the AWS or worker-only variables', async () => {
    expect(await returnValue(stack, key, 'bash_env')).toBe('found=[]');
  });
});
