import { ConflictError } from '../../../../src/core/errors.ts';
import type { UserRecord, UserStore } from '../../../../src/core/ports/user-store.ts';

/** A UserStore in memory for the auth manager's unit tests; DynamoDbUserStore has its own integration tests. */
export class MemoryUserStore implements UserStore {
  readonly users = new Map<string, UserRecord>();

  async getUser(username: string): Promise<UserRecord | null> {
    const user = this.users.get(username);
    return user ? structuredClone(user) : null;
  }
  async listUsers(): Promise<UserRecord[]> {
    return [...this.users.values()].map((user) => structuredClone(user));
  }
  async createUser(user: UserRecord): Promise<void> {
    if (this.users.has(user.username)) throw new ConflictError(`User "${user.username}" already exists.`);
    this.users.set(user.username, structuredClone(user));
  }
  async putUser(user: UserRecord): Promise<void> {
    this.users.set(user.username, structuredClone(user));
  }
  async deleteUser(username: string): Promise<boolean> {
    return this.users.delete(username);
  }
}
