import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../core/errors.ts';
import type { VariableRecord, VariableStore } from '../../core/ports/metastore.ts';
import { rethrowTooLarge } from './errors.ts';
import { decodeRecord, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, variableKey } from './keys.ts';
import { queryAll } from './requests.ts';

const VARIABLE_SPEC: RecordSpec<VariableRecord> = {
  key: { kind: 'string' },
  value: { kind: 'string' },
  description: { kind: 'string', nullable: true },
};

/** Airflow's limit on a variable key. */
export const MAX_VARIABLE_KEY_LENGTH = 250;

const decodeVariable = (item: Item): VariableRecord => decodeRecord(VARIABLE_SPEC, item);

export function validateVariableKey(key: string): void {
  if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_VARIABLE_KEY_LENGTH) {
    throw new ValidationError(`A variable key must be 1 to ${MAX_VARIABLE_KEY_LENGTH} characters and not blank.`, 'key');
  }
}

/** One item per variable, listed through the sparse lists index. Writes are plain puts: last writer wins, as in Airflow. */
export class DynamoDbVariableStore implements VariableStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getVariable(key: string): Promise<VariableRecord | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: variableKey(key), ConsistentRead: true }));
    return result.Item ? decodeVariable(result.Item as Item) : null;
  }

  async putVariable(variable: VariableRecord): Promise<void> {
    validateVariableKey(variable.key);
    if (typeof variable.value !== 'string') throw new ValidationError(`Variable "${variable.key}" must have a string value.`, 'value');
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...variableKey(variable.key),
            [ATTR.type]: 'VARIABLE',
            [ATTR.listPk]: LIST.variables,
            [ATTR.listSk]: variable.key,
            ...encodeRecord(VARIABLE_SPEC, variable),
          },
        }),
      );
    } catch (error) {
      rethrowTooLarge(error, `Variable "${variable.key}"`);
    }
  }

  async deleteVariable(key: string): Promise<boolean> {
    const result = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: variableKey(key), ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }

  async listVariables(): Promise<VariableRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.variables },
    });
    return items.map(decodeVariable);
  }
}
