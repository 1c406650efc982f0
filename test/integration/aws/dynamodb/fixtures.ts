import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { DynamoDbMetastore, createMetastoreTable } from '../../../../src/aws/dynamodb/index.ts';
import { newTaskInstance, type DagRunRecord, type DagVersionRecord, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';
import type { ParsedDag } from '../../../../src/core/ports/metastore.ts';
import { SERIALIZED_DAG_FORMAT_VERSION, type SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { runIdFor } from '../../../../src/core/model/keys.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

export interface TestMetastore {
  client: DynamoDBDocumentClient;
  tableName: string;
  metastore: DynamoDbMetastore;
}

/** A fresh metastore table of its own for one test file. */
export async function createTestMetastore(prefix: string): Promise<TestMetastore> {
  const client = createDynamoDbClient(emulatorClientOptions());
  const tableName = uniqueName(prefix);
  await createMetastoreTable(client, tableName);
  return { client, tableName, metastore: new DynamoDbMetastore({ client, tableName }) };
}

export const at = (iso: string): Date => new Date(iso);

export function serializedDag(dagId: string, overrides: Partial<SerializedDag> = {}): SerializedDag {
  return {
    formatVersion: SERIALIZED_DAG_FORMAT_VERSION,
    dagId,
    fileloc: `${dagId}.ts`,
    description: null,
    tags: [],
    timetable: { type: 'cron_data_interval', cron: '0 0 * * *', timezone: 'UTC' },
    scheduleDescription: '@daily',
    startDate: '2024-01-01T00:00:00.000Z',
    endDate: null,
    timezone: 'UTC',
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    params: {},
    tasks: [],
    ...overrides,
  };
}

export function parsedDag(
  dagId: string,
  options: {
    versionId?: string;
    serialized?: SerializedDag;
    pausedAtCreation?: boolean;
    nextDagRunCreateAfter?: Date | null;
    isActive?: boolean;
    description?: string | null;
    parsedAt?: Date;
  } = {},
): ParsedDag {
  const serialized = options.serialized ?? serializedDag(dagId);
  const version: DagVersionRecord = {
    dagId,
    versionId: options.versionId ?? 'v1',
    serialized,
    bundleKey: `bundles/${dagId}/${options.versionId ?? 'v1'}.mjs`,
    createdAt: options.parsedAt ?? at('2024-05-01T10:00:00.000Z'),
  };
  return {
    dag: {
      dagId,
      fileloc: serialized.fileloc,
      isActive: options.isActive ?? true,
      latestVersionId: version.versionId,
      description: options.description === undefined ? serialized.description : options.description,
      tags: serialized.tags,
      scheduleDescription: serialized.scheduleDescription,
      maxActiveRuns: serialized.maxActiveRuns,
      lastParsedAt: options.parsedAt ?? at('2024-05-01T10:00:00.123Z'),
    },
    version,
    pausedAtCreation: options.pausedAtCreation ?? true,
    nextDagRunCreateAfter:
      options.nextDagRunCreateAfter === undefined ? at('2024-05-02T00:00:00.000Z') : options.nextDagRunCreateAfter,
  };
}

export function dagRun(dagId: string, logicalDateIso: string, overrides: Partial<DagRunRecord> = {}): DagRunRecord {
  const logicalDate = at(logicalDateIso);
  const end = new Date(logicalDate.getTime() + 24 * 3600 * 1000);
  return {
    dagId,
    runId: runIdFor('scheduled', logicalDate),
    state: 'queued',
    runType: 'scheduled',
    logicalDate,
    dataInterval: { start: logicalDate, end },
    runAfter: end,
    versionId: 'v1',
    conf: {},
    queuedAt: end,
    startDate: null,
    endDate: null,
    revision: 0,
    ...overrides,
  };
}

export function taskInstance(
  run: { dagId: string; runId: string },
  taskId: string,
  overrides: Partial<TaskInstanceRecord> = {},
): TaskInstanceRecord {
  return { ...newTaskInstance(run, serializedTask(taskId, [], { operator: 'taskflow', retries: 2 })), ...overrides };
}
