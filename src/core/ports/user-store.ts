/** The simple auth manager's roles, with Airflow's meanings (viewer ⊂ user ⊂ op ⊂ admin). */
export const SIMPLE_AUTH_ROLES = ['viewer', 'user', 'op', 'admin'] as const;
export type SimpleAuthRole = (typeof SIMPLE_AUTH_ROLES)[number];

/** A user of the simple auth manager. The password is stored hashed (scrypt), never in clear. */
export interface UserRecord {
  username: string;
  role: SimpleAuthRole;
  passwordHash: string;
  /** When set, the user reaches only these DAGs (and those of `dagTags`); null means every DAG. */
  dagIds: string[] | null;
  dagTags: string[] | null;
  createdAt: Date;
}

export interface UserStore {
  getUser(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  /** Creates a user; throws ConflictError when the name is taken. */
  createUser(user: UserRecord): Promise<void>;
  /** Replaces a user (password change, role change). */
  putUser(user: UserRecord): Promise<void>;
  deleteUser(username: string): Promise<boolean>;
}
