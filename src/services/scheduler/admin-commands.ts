import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { DagRunRecord } from '../../core/model/records.ts';
import { SIMPLE_AUTH_ROLES, type SimpleAuthRole, type UserStore } from '../../core/ports/user-store.ts';
import { generatePassword, hashPassword } from '../auth/passwords.ts';
import type { SchedulerDeps } from './settings.ts';
import { triggerDagRun } from './trigger-dag-run.ts';

/**
 * Commands an operator sends to the scheduler function directly (`aws lambda invoke`), authorized by IAM
 * (`lambda:InvokeFunction` on the function): creating the first REST API user of a deployment (nobody can
 * log in before one exists), and triggering, pausing and unpausing DAGs as a break-glass path that needs
 * no token. JSON fields are snake_case, as in Airflow's REST API.
 */
const adminCommandSchema = z.discriminatedUnion('updraft_command', [
  z.strictObject({
    updraft_command: z.literal('trigger_dag_run'),
    dag_id: z.string().min(1),
    logical_date: z.iso.datetime({ offset: true }).optional(),
    conf: z.record(z.string(), z.unknown()).optional(),
    dag_run_id: z.string().min(1).optional(),
  }),
  z.strictObject({
    updraft_command: z.literal('set_dag_paused'),
    dag_id: z.string().min(1),
    is_paused: z.boolean(),
  }),
  z.strictObject({
    updraft_command: z.literal('create_user'),
    username: z.string().min(1),
    role: z.enum(SIMPLE_AUTH_ROLES),
    /** Omitted: a random one is generated and returned, once. */
    password: z.string().min(8).optional(),
    dag_ids: z.array(z.string().min(1)).optional(),
    dag_tags: z.array(z.string().min(1)).optional(),
  }),
]);

export type AdminCommand = z.infer<typeof adminCommandSchema>;

export type AdminCommandResult =
  | { updraft_command: 'trigger_dag_run'; dag_id: string; dag_run_id: string; state: DagRunRecord['state']; logical_date: string }
  | { updraft_command: 'set_dag_paused'; dag_id: string; is_paused: boolean }
  | { updraft_command: 'create_user'; username: string; role: SimpleAuthRole; generated_password: string | null };

/** Whether an invocation event is an admin command (it has `updraft_command`) rather than a schedule or ECS event. */
export function isAdminCommand(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'updraft_command' in event;
}

/** Validates and runs one command; a bad command is a ValidationError that names the field. */
export async function runAdminCommand(
  deps: Pick<SchedulerDeps, 'metastore' | 'clock' | 'dagVersions' | 'logger'> & { users?: UserStore },
  event: unknown,
): Promise<AdminCommandResult> {
  const parsed = adminCommandSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `Not a valid scheduler command: ${issue.path.join('.') || '(event)'}: ${issue.message}. Send ` +
        '{"updraft_command":"trigger_dag_run","dag_id":"...","conf":{}}, {"updraft_command":"set_dag_paused","dag_id":"...","is_paused":false} ' +
        'or {"updraft_command":"create_user","username":"...","role":"admin"}.',
    );
  }
  const command = parsed.data;
  if (command.updraft_command === 'create_user') {
    if (!deps.users) throw new ValidationError('This scheduler has no user store: create_user needs the simple auth manager\'s users table.');
    const password = command.password ?? generatePassword();
    await deps.users.createUser({
      username: command.username,
      role: command.role,
      passwordHash: await hashPassword(password),
      dagIds: command.dag_ids ?? null,
      dagTags: command.dag_tags ?? null,
      createdAt: deps.clock.now(),
    });
    deps.logger.info('User created', { username: command.username, role: command.role });
    return { updraft_command: 'create_user', username: command.username, role: command.role, generated_password: command.password ? null : password };
  }
  if (command.updraft_command === 'set_dag_paused') {
    const dag = await deps.metastore.setDagPaused(command.dag_id, command.is_paused);
    deps.logger.info(command.is_paused ? 'DAG paused' : 'DAG unpaused', { dag_id: dag.dagId });
    return { updraft_command: 'set_dag_paused', dag_id: dag.dagId, is_paused: dag.isPaused };
  }
  const run = await triggerDagRun(deps, {
    dagId: command.dag_id,
    conf: command.conf,
    logicalDate: command.logical_date ? new Date(command.logical_date) : undefined,
    runId: command.dag_run_id,
  });
  deps.logger.info('DAG run triggered', { dag_id: run.dagId, run_id: run.runId });
  return {
    updraft_command: 'trigger_dag_run',
    dag_id: run.dagId,
    dag_run_id: run.runId,
    state: run.state,
    logical_date: run.logicalDate.toISOString(),
  };
}
