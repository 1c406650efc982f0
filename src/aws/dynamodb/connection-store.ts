import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../core/errors.ts';
import type { Connection } from '../../core/model/connection.ts';
import type { ConnectionStore } from '../../core/ports/metastore.ts';
import { rethrowTooLarge } from './errors.ts';
import { decodeRecord, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, connectionKey } from './keys.ts';
import { queryAll } from './requests.ts';

const CONNECTION_SPEC: RecordSpec<Connection> = {
  connId: { kind: 'string' },
  connType: { kind: 'string' },
  host: { kind: 'string', nullable: true },
  login: { kind: 'string', nullable: true },
  password: { kind: 'string', nullable: true },
  schema: { kind: 'string', nullable: true },
  port: { kind: 'number', nullable: true },
  extra: { kind: 'json' },
};

/** Airflow's limit on a connection id. */
export const MAX_CONNECTION_ID_LENGTH = 250;

function decodeConnection(item: Item): Connection {
  const connection = decodeRecord(CONNECTION_SPEC, item);
  return { ...connection, extra: connection.extra ?? {} };
}

export function validateConnection(connection: Connection): void {
  const { connId, connType } = connection;
  if (typeof connId !== 'string' || connId.trim() === '' || connId.length > MAX_CONNECTION_ID_LENGTH) {
    throw new ValidationError(`A connection id must be 1 to ${MAX_CONNECTION_ID_LENGTH} characters and not blank.`, 'connId');
  }
  if (typeof connType !== 'string' || connType.trim() === '') {
    throw new ValidationError(`Connection "${connId}" needs a connection type (e.g. "postgres", "http").`, 'connType');
  }
  if (connection.port !== null && (!Number.isInteger(connection.port) || connection.port < 0 || connection.port > 65535)) {
    throw new ValidationError(`Connection "${connId}" has port ${connection.port}; use a whole number from 0 to 65535.`, 'port');
  }
  const extra = connection.extra as unknown;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw new ValidationError(`Connection "${connId}" must have an object as its extra.`, 'extra');
  }
}

/**
 * One item per connection, listed through the sparse lists index; the extra is stored as JSON text.
 * The password is stored as given: the table is encrypted at rest, and Secrets Manager is the place for
 * secrets that need their own key or rotation.
 */
export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getConnection(connId: string): Promise<Connection | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: connectionKey(connId), ConsistentRead: true }));
    return result.Item ? decodeConnection(result.Item as Item) : null;
  }

  async putConnection(connection: Connection): Promise<void> {
    validateConnection(connection);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...connectionKey(connection.connId),
            [ATTR.type]: 'CONNECTION',
            [ATTR.listPk]: LIST.connections,
            [ATTR.listSk]: connection.connId,
            ...encodeRecord(CONNECTION_SPEC, connection),
          },
        }),
      );
    } catch (error) {
      rethrowTooLarge(error, `Connection "${connection.connId}"`);
    }
  }

  async deleteConnection(connId: string): Promise<boolean> {
    const result = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: connectionKey(connId), ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }

  async listConnections(): Promise<Connection[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.connections },
    });
    return items.map(decodeConnection);
  }
}
