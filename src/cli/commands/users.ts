import type { Command } from 'commander';
import { systemClock, type Clock } from '../../core/ports/clock.ts';
import { SIMPLE_AUTH_ROLES, type SimpleAuthRole, type UserRecord, type UserStore } from '../../core/ports/user-store.ts';
import { generatePassword, hashPassword } from '../../services/auth/passwords.ts';
import { withLocalState } from '../local-context.ts';
import { CliUsageError, parseOutputFormat, printRows } from '../output.ts';

/** Where the users commands read and write; tests pass a store on the emulators and capture the output. */
export interface UsersCommandIo {
  stdout: NodeJS.WritableStream;
  clock: Clock;
  withUsers<T>(action: (users: UserStore) => Promise<T>): Promise<T>;
}

const defaultIo: UsersCommandIo = {
  stdout: process.stdout,
  clock: systemClock,
  withUsers: (action) => withLocalState(({ users }) => action(users)),
};

function parseRole(value: string): SimpleAuthRole {
  const role = value.trim().toLowerCase();
  if (!(SIMPLE_AUTH_ROLES as readonly string[]).includes(role)) {
    throw new CliUsageError(`--role must be one of ${SIMPLE_AUTH_ROLES.join(', ')}, not "${value}".`);
  }
  return role as SimpleAuthRole;
}

/** `a, b,,c` → ['a', 'b', 'c']; absent → null (no limit). */
function parseList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

const CREATE_EXAMPLES = `
Roles (Airflow's simple auth manager): viewer reads everything but connections and variables; user also
changes DAGs and runs; op also manages connections, variables, pools, assets and backfills; admin does all.

Examples:
  $ updraft users create --username alice --role admin
  $ updraft users create --username bob --role user --password 's3cret-pass'
  $ updraft users create --username carol --role viewer --dag-ids sales_daily,sales_hourly
  $ updraft users create --username dan --role op --dag-tags finance`;

const LIST_EXAMPLES = `
Examples:
  $ updraft users list
  $ updraft users list -o json`;

export function registerUsersCommands(program: Command, io: UsersCommandIo = defaultIo): void {
  const users = program.command('users').description('Manage the REST API users of the simple auth manager');

  users
    .command('create')
    .description('Create a user; without --password, a random one is generated and printed once')
    .requiredOption('-u, --username <name>', 'user name (letters, digits and _ . @ + -)')
    .requiredOption('-r, --role <role>', `one of ${SIMPLE_AUTH_ROLES.join(', ')}`)
    .option('-p, --password <password>', 'password (default: generated and printed)')
    .option('--dag-ids <ids>', 'comma-separated DAG ids: the user reaches only these DAGs (and those of --dag-tags)')
    .option('--dag-tags <tags>', 'comma-separated DAG tags: the user reaches only DAGs with one of these tags (and --dag-ids)')
    .addHelpText('after', CREATE_EXAMPLES)
    .action(async (options: { username: string; role: string; password?: string; dagIds?: string; dagTags?: string }) => {
      const role = parseRole(options.role);
      if (options.password !== undefined && options.password.length < 8) {
        throw new CliUsageError('--password must have at least 8 characters; leave it out to have a strong one generated.');
      }
      const password = options.password ?? generatePassword();
      const user: UserRecord = {
        username: options.username,
        role,
        passwordHash: await hashPassword(password),
        dagIds: parseList(options.dagIds),
        dagTags: parseList(options.dagTags),
        createdAt: io.clock.now(),
      };
      await io.withUsers((store) => store.createUser(user));
      const scope = user.dagIds === null && user.dagTags === null ? 'every DAG' : describeScope(user);
      io.stdout.write(`User "${user.username}" created with role ${role}, reaching ${scope}.\n`);
      if (options.password === undefined) {
        io.stdout.write(`Password for user "${user.username}": ${password}\n(Shown only now: only its hash is stored.)\n`);
      }
    });

  users
    .command('list')
    .description('List the users, their roles and the DAGs they are limited to')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (options: { output: string }) => {
      const format = parseOutputFormat(options.output);
      const records = await io.withUsers((store) => store.listUsers());
      const list = (values: string[] | null) => (format === 'json' ? values : values?.join(','));
      printRows(
        records.map((user) => ({
          username: user.username,
          role: user.role,
          dag_ids: list(user.dagIds),
          dag_tags: list(user.dagTags),
          created_at: format === 'json' ? user.createdAt.toISOString() : user.createdAt,
        })),
        format,
        io.stdout,
      );
    });
}

function describeScope(user: UserRecord): string {
  const parts: string[] = [];
  if (user.dagIds !== null) parts.push(user.dagIds.length > 0 ? `DAGs ${user.dagIds.join(', ')}` : 'no DAG by id');
  if (user.dagTags !== null) parts.push(user.dagTags.length > 0 ? `DAGs tagged ${user.dagTags.join(', ')}` : 'no DAG by tag');
  return `only ${parts.join(' and ')}`;
}
