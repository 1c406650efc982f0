import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import type { DagRunRecord } from '../../core/model/records.ts';
import type { SchedulerDeps } from './settings.ts';
import { triggerDagRun } from './trigger-dag-run.ts';

/**
 * Commands an operator sends to the scheduler function directly (`aws lambda invoke`), authorized by IAM
 * (`lambda:InvokeFunction` on the function). They let a deployment trigger, pause and unpause DAGs before
 * the REST API's auth manager exists, and stay useful for break-glass scripts afterwards. JSON fields are
 * snake_case, as in Airflow's REST API.
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
]);

export type AdminCommand = z.infer<typeof adminCommandSchema>;

export type AdminCommandResult =
  | { updraft_command: 'trigger_dag_run'; dag_id: string; dag_run_id: string; state: DagRunRecord['state']; logical_date: string }
  | { updraft_command: 'set_dag_paused'; dag_id: string; is_paused: boolean };

/** Whether an invocation event is an admin command (it has `updraft_command`) rather than a schedule or ECS event. */
export function isAdminCommand(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'updraft_command' in event;
}

/** Validates and runs one command; a bad command is a ValidationError that names the field. */
export async function runAdminCommand(
  deps: Pick<SchedulerDeps, 'metastore' | 'clock' | 'dagVersions' | 'logger'>,
  event: unknown,
): Promise<AdminCommandResult> {
  const parsed = adminCommandSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(
      `Not a valid scheduler command: ${issue.path.join('.') || '(event)'}: ${issue.message}. Send ` +
        '{"updraft_command":"trigger_dag_run","dag_id":"...","conf":{}} or {"updraft_command":"set_dag_paused","dag_id":"...","is_paused":false}.',
    );
  }
  const command = parsed.data;
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
