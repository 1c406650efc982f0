import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Connection } from '../../core/model/connection.ts';
import type { DagRunKey, TaskInstanceKey } from '../../core/model/keys.ts';
import type {
  AssetEventRecord,
  DagFileRecord,
  DagRecord,
  DagRunRecord,
  DagVersionRecord,
  ImportErrorRecord,
  TaskInstanceRecord,
  XComRecord,
} from '../../core/model/records.ts';
import type {
  AssetRecord,
  DagRunChanges,
  DagRunCondition,
  DagRunListOptions,
  DagRunSearch,
  DagRunWithNote,
  Metastore,
  ParsedDag,
  TaskInstanceChanges,
  TaskInstanceCondition,
  VariableRecord,
} from '../../core/ports/metastore.ts';
import { DynamoDbAssetEventStore } from './asset-event-store.ts';
import { DynamoDbConnectionStore } from './connection-store.ts';
import { DynamoDbDagFileStore } from './dag-file-store.ts';
import { DynamoDbDagRunStore } from './dag-run-store.ts';
import { DynamoDbDagStore } from './dag-store.ts';
import { DynamoDbSchedulerStateStore } from './scheduler-state-store.ts';
import { DynamoDbTaskInstanceStore } from './task-instance-store.ts';
import { DynamoDbVariableStore } from './variable-store.ts';
import { DynamoDbXComStore } from './xcom-store.ts';

export interface DynamoDbMetastoreOptions {
  /** A document client created with `removeUndefinedValues` (see `createDynamoDbClient`). */
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** The metastore on one DynamoDB table (layout: docs/data-model.md), composed of one store per concept. */
export class DynamoDbMetastore implements Metastore {
  private readonly dags: DynamoDbDagStore;
  private readonly files: DynamoDbDagFileStore;
  private readonly runs: DynamoDbDagRunStore;
  private readonly taskInstances: DynamoDbTaskInstanceStore;
  private readonly xcoms: DynamoDbXComStore;
  private readonly assetEvents: DynamoDbAssetEventStore;
  private readonly schedulers: DynamoDbSchedulerStateStore;
  private readonly variables: DynamoDbVariableStore;
  private readonly connections: DynamoDbConnectionStore;

  constructor(options: DynamoDbMetastoreOptions) {
    const { client, tableName } = options;
    this.dags = new DynamoDbDagStore(client, tableName);
    this.files = new DynamoDbDagFileStore(client, tableName);
    this.runs = new DynamoDbDagRunStore(client, tableName);
    this.taskInstances = new DynamoDbTaskInstanceStore(client, tableName);
    this.xcoms = new DynamoDbXComStore(client, tableName);
    this.assetEvents = new DynamoDbAssetEventStore(client, tableName);
    this.schedulers = new DynamoDbSchedulerStateStore(client, tableName);
    this.variables = new DynamoDbVariableStore(client, tableName);
    this.connections = new DynamoDbConnectionStore(client, tableName);
  }

  listDags(): Promise<DagRecord[]> {
    return this.dags.listDags();
  }
  getDag(dagId: string): Promise<DagRecord | null> {
    return this.dags.getDag(dagId);
  }
  saveParsedDag(parsed: ParsedDag): Promise<void> {
    return this.dags.saveParsedDag(parsed);
  }
  deactivateDags(dagIds: readonly string[]): Promise<void> {
    return this.dags.deactivateDags(dagIds);
  }
  setDagPaused(dagId: string, isPaused: boolean): Promise<DagRecord> {
    return this.dags.setDagPaused(dagId, isPaused);
  }
  updateDagSchedule(
    dagId: string,
    update: { lastAutomatedDataInterval: DagRecord['lastAutomatedDataInterval']; nextDagRunCreateAfter: Date | null },
    expectedLast: DagRecord['lastAutomatedDataInterval'],
  ): Promise<void> {
    return this.dags.updateDagSchedule(dagId, update, expectedLast);
  }
  getDagVersion(dagId: string, versionId: string): Promise<DagVersionRecord | null> {
    return this.dags.getDagVersion(dagId, versionId);
  }
  deleteDag(dagId: string): Promise<boolean> {
    return this.dags.deleteDag(dagId);
  }

  getDagFile(fileloc: string): Promise<DagFileRecord | null> {
    return this.files.getDagFile(fileloc);
  }
  putDagFile(file: DagFileRecord): Promise<void> {
    return this.files.putDagFile(file);
  }
  deleteDagFile(fileloc: string): Promise<void> {
    return this.files.deleteDagFile(fileloc);
  }
  listImportErrors(): Promise<ImportErrorRecord[]> {
    return this.files.listImportErrors();
  }
  putImportError(error: ImportErrorRecord): Promise<void> {
    return this.files.putImportError(error);
  }
  deleteImportError(fileloc: string): Promise<void> {
    return this.files.deleteImportError(fileloc);
  }

  createDagRun(run: DagRunRecord): Promise<boolean> {
    return this.runs.createDagRun(run);
  }
  getDagRun(key: DagRunKey): Promise<DagRunRecord | null> {
    return this.runs.getDagRun(key);
  }
  listDagRuns(dagId: string, options?: DagRunListOptions): Promise<DagRunRecord[]> {
    return this.runs.listDagRuns(dagId, options);
  }
  listActiveDagRuns(): Promise<DagRunRecord[]> {
    return this.runs.listActiveDagRuns();
  }
  updateDagRun(key: DagRunKey, changes: DagRunChanges, condition?: DagRunCondition): Promise<DagRunRecord> {
    return this.runs.updateDagRun(key, changes, condition);
  }

  markDeadlineAlerted(key: DagRunKey, at: Date): Promise<DagRunRecord | null> {
    return this.runs.markDeadlineAlerted(key, at);
  }
  searchDagRuns(dagId: string, search?: DagRunSearch): Promise<DagRunWithNote[]> {
    return this.runs.searchDagRuns(dagId, search);
  }
  getDagRunWithNote(key: DagRunKey): Promise<DagRunWithNote | null> {
    return this.runs.getDagRunWithNote(key);
  }
  setDagRunNote(key: DagRunKey, note: string | null): Promise<DagRunWithNote> {
    return this.runs.setDagRunNote(key, note);
  }
  deleteDagRun(key: DagRunKey): Promise<boolean> {
    return this.runs.deleteDagRun(key);
  }

  createTaskInstances(instances: readonly TaskInstanceRecord[]): Promise<void> {
    return this.taskInstances.createTaskInstances(instances);
  }
  getTaskInstance(key: TaskInstanceKey): Promise<TaskInstanceRecord | null> {
    return this.taskInstances.getTaskInstance(key);
  }
  listTaskInstances(run: DagRunKey): Promise<TaskInstanceRecord[]> {
    return this.taskInstances.listTaskInstances(run);
  }
  updateTaskInstance(
    key: TaskInstanceKey,
    changes: TaskInstanceChanges,
    condition?: TaskInstanceCondition,
  ): Promise<TaskInstanceRecord> {
    return this.taskInstances.updateTaskInstance(key, changes, condition);
  }
  recordSucceededUpstream(downstream: TaskInstanceKey, upstreamTaskId: string): Promise<number | null> {
    return this.taskInstances.recordSucceededUpstream(downstream, upstreamTaskId);
  }
  forgetSucceededUpstreams(downstream: TaskInstanceKey, upstreamTaskIds: readonly string[]): Promise<void> {
    return this.taskInstances.forgetSucceededUpstreams(downstream, upstreamTaskIds);
  }

  putXCom(record: XComRecord): Promise<void> {
    return this.xcoms.putXCom(record);
  }
  getXCom(key: TaskInstanceKey, xcomKey: string): Promise<XComRecord | null> {
    return this.xcoms.getXCom(key, xcomKey);
  }
  listXComs(key: TaskInstanceKey): Promise<XComRecord[]> {
    return this.xcoms.listXComs(key);
  }
  listTaskXComs(run: DagRunKey, taskId: string, key: string): Promise<XComRecord[]> {
    return this.xcoms.listTaskXComs(run, taskId, key);
  }
  deleteXComs(key: TaskInstanceKey): Promise<void> {
    return this.xcoms.deleteXComs(key);
  }

  recordAssetEvents(events: readonly AssetEventRecord[]): Promise<void> {
    return this.assetEvents.recordAssetEvents(events);
  }

  claimExternalEventTime(externalEventId: string, proposed: Date): Promise<Date> {
    return this.assetEvents.claimExternalEventTime(externalEventId, proposed);
  }
  listAssetEvents(assetUri: string, options?: { after?: Date; limit?: number }): Promise<AssetEventRecord[]> {
    return this.assetEvents.listAssetEvents(assetUri, options);
  }
  listAssets(): Promise<AssetRecord[]> {
    return this.assetEvents.listAssets();
  }
  getAsset(assetId: number): Promise<AssetRecord | null> {
    return this.assetEvents.getAsset(assetId);
  }
  listAllAssetEvents(options?: { from?: Date; to?: Date }): Promise<AssetEventRecord[]> {
    return this.assetEvents.listAllAssetEvents(options);
  }

  recordSchedulerHeartbeat(schedulerId: string, at: Date): Promise<void> {
    return this.schedulers.recordSchedulerHeartbeat(schedulerId, at);
  }
  getLatestSchedulerHeartbeat(): Promise<{ schedulerId: string; at: Date } | null> {
    return this.schedulers.getLatestSchedulerHeartbeat();
  }

  getVariable(key: string): Promise<VariableRecord | null> {
    return this.variables.getVariable(key);
  }
  putVariable(variable: VariableRecord): Promise<void> {
    return this.variables.putVariable(variable);
  }
  deleteVariable(key: string): Promise<boolean> {
    return this.variables.deleteVariable(key);
  }
  listVariables(): Promise<VariableRecord[]> {
    return this.variables.listVariables();
  }

  getConnection(connId: string): Promise<Connection | null> {
    return this.connections.getConnection(connId);
  }
  putConnection(connection: Connection): Promise<void> {
    return this.connections.putConnection(connection);
  }
  deleteConnection(connId: string): Promise<boolean> {
    return this.connections.deleteConnection(connId);
  }
  listConnections(): Promise<Connection[]> {
    return this.connections.listConnections();
  }
}
