import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DagFileRecord, ImportErrorRecord } from '../../core/model/records.ts';
import type { DagFileStore } from '../../core/ports/metastore.ts';
import { rethrowTooLarge } from './errors.ts';
import { decodeRecord, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, dagFileKey, importErrorKey } from './keys.ts';
import { queryAll } from './requests.ts';

const DAG_FILE_SPEC: RecordSpec<DagFileRecord> = {
  fileloc: { kind: 'string' },
  contentHash: { kind: 'string' },
  dagIds: { kind: 'stringList' },
  lastParsedAt: { kind: 'date' },
};

const IMPORT_ERROR_SPEC: RecordSpec<ImportErrorRecord> = {
  fileloc: { kind: 'string' },
  message: { kind: 'string' },
  line: { kind: 'number', nullable: true },
  timestamp: { kind: 'date' },
};

/** An import error message is user output (a stack, a compiler report): cap it well under the item limit. */
const MAX_IMPORT_ERROR_CHARS = 64 * 1024;

/**
 * DAG files and their import errors share a partition per file. Both are written only by the DAG
 * processor for that file, last writer wins (a later parse supersedes an earlier one).
 */
export class DynamoDbDagFileStore implements DagFileStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getDagFile(fileloc: string): Promise<DagFileRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dagFileKey(fileloc), ConsistentRead: true }),
    );
    return result.Item ? decodeRecord(DAG_FILE_SPEC, result.Item as Item) : null;
  }

  async putDagFile(file: DagFileRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...dagFileKey(file.fileloc), [ATTR.type]: 'DAG_FILE', ...encodeRecord(DAG_FILE_SPEC, file) },
      }),
    );
  }

  async deleteDagFile(fileloc: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: dagFileKey(fileloc) }));
  }

  async listImportErrors(): Promise<ImportErrorRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.importErrors },
    });
    return items.map((item) => decodeRecord(IMPORT_ERROR_SPEC, item));
  }

  async putImportError(error: ImportErrorRecord): Promise<void> {
    const message =
      error.message.length > MAX_IMPORT_ERROR_CHARS
        ? `${error.message.slice(0, MAX_IMPORT_ERROR_CHARS)}\n… (truncated)`
        : error.message;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...importErrorKey(error.fileloc),
            [ATTR.type]: 'IMPORT_ERROR',
            [ATTR.listPk]: LIST.importErrors,
            [ATTR.listSk]: error.fileloc,
            ...encodeRecord(IMPORT_ERROR_SPEC, { ...error, message }),
          },
        }),
      );
    } catch (cause) {
      rethrowTooLarge(cause, `The import error of "${error.fileloc}"`);
    }
  }

  async deleteImportError(fileloc: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: importErrorKey(fileloc) }));
  }
}
