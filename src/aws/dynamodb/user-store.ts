import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import { SIMPLE_AUTH_ROLES, type UserRecord, type UserStore } from '../../core/ports/user-store.ts';
import { isConditionalCheckFailed } from './errors.ts';
import { decodeRecord, encodeRecord, type Item, type RecordSpec } from './item-codec.ts';
import { ATTR, INDEX, LIST, userKey } from './keys.ts';
import { queryAll } from './requests.ts';

const USER_SPEC: RecordSpec<UserRecord> = {
  username: { kind: 'string' },
  role: { kind: 'string' },
  passwordHash: { kind: 'string' },
  dagIds: { kind: 'stringList', nullable: true },
  dagTags: { kind: 'stringList', nullable: true },
  createdAt: { kind: 'date' },
};

export const MAX_USERNAME_LENGTH = 256;

/** Names that read the same in a token's `sub`, a CLI argument and a log line. */
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@+-]*$/;

export function validateUsername(username: string): void {
  if (typeof username !== 'string' || username.length > MAX_USERNAME_LENGTH || !USERNAME_PATTERN.test(username)) {
    throw new ValidationError(
      `"${username}" is not a valid user name: use 1 to ${MAX_USERNAME_LENGTH} letters, digits and _ . @ + -, starting with a letter or digit.`,
      'username',
    );
  }
}

function validateUser(user: UserRecord): void {
  validateUsername(user.username);
  if (!(SIMPLE_AUTH_ROLES as readonly string[]).includes(user.role)) {
    throw new ValidationError(`User "${user.username}" has role "${user.role}"; use one of ${SIMPLE_AUTH_ROLES.join(', ')}.`, 'role');
  }
  if (typeof user.passwordHash !== 'string' || user.passwordHash === '') {
    throw new ValidationError(`User "${user.username}" has no password hash; hash the password (hashPassword) before storing the user.`, 'passwordHash');
  }
}

/**
 * The simple auth manager's users, one item each in the metastore table (`USER#<username>`), listed
 * through the sparse lists index. Not part of the Metastore aggregate: only the auth manager and the CLI
 * read users, and the scheduler and workers have no business with them.
 */
export class DynamoDbUserStore implements UserStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getUser(username: string): Promise<UserRecord | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userKey(username), ConsistentRead: true }));
    return result.Item ? decodeUser(result.Item as Item) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.lists,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': ATTR.listPk },
      ExpressionAttributeValues: { ':pk': LIST.users },
    });
    return items.map(decodeUser);
  }

  async createUser(user: UserRecord): Promise<void> {
    validateUser(user);
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: this.item(user), ConditionExpression: 'attribute_not_exists(pk)'}),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ConflictError(`User "${user.username}" already exists. Pick another name, or change the existing user instead.`, undefined, { cause: error });
      }
      throw error;
    }
  }

  async putUser(user: UserRecord): Promise<void> {
    validateUser(user);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.item(user) }));
  }

  async deleteUser(username: string): Promise<boolean> {
    const result = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: userKey(username), ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }

  private item(user: UserRecord): Item {
    return {
      ...userKey(user.username),
      [ATTR.type]: 'USER',
      [ATTR.listPk]: LIST.users,
      [ATTR.listSk]: user.username,
      ...encodeRecord(USER_SPEC, user),
    };
  }
}

function decodeUser(item: Item): UserRecord {
  return decodeRecord(USER_SPEC, item);
}
