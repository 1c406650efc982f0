import type { DagRunStatesResponse } from '../../../http/execution-api-client.ts';
import { SkipTask, type SensorFunctions, type TaskContext } from '../../../sdk/index.ts';
import { ExternalTaskFailedError, SensorArgumentError } from './sensor-errors.ts';

export interface ExternalTaskPokeFields {
  externalDagId: string;
  externalTaskIds?: string[];
  allowedStates: string[];
  failedStates: string[];
  skippedStates: string[];
  executionDeltaSeconds?: number;
}

export type ReadDagRunStates = (dagId: string, logicalDate: Date, taskIds?: readonly string[]) => Promise<DagRunStatesResponse>;

/** The other DAG's logical dates to look at: this run's, shifted back by the delta, or the function's. */
export async function externalLogicalDates(fields: ExternalTaskPokeFields, functions: SensorFunctions, ctx: TaskContext): Promise<Date[]> {
  if (functions.executionDateFn) {
    const result = await functions.executionDateFn(new Date(ctx.logicalDate), ctx);
    const dates = Array.isArray(result) ? result : [result];
    if (dates.length === 0 || !dates.every((date) => date instanceof Date && !Number.isNaN(date.getTime()))) {
      throw new SensorArgumentError('executionDateFn must return a Date or a non-empty list of Dates.');
    }
    return dates as Date[];
  }
  return [new Date(ctx.logicalDate.getTime() - (fields.executionDeltaSeconds ?? 0) * 1000)];
}

/** A poke's answer; `pendingDate` is the first logical date whose run (or tasks) is not all allowed yet. */
export interface ExternalTaskPokeResult {
  done: boolean;
  pendingDate: Date | null;
}

/**
 * One poke of an externalTaskSensor, as Airflow 3's `_poke_af3`: failed states first (fail, or skip with
 * softFail), then skipped states (skip), then done when every task (or the run) of every date is in an
 * allowed state. Counts of task instances are divided by the number of tasks, as Airflow does.
 */
export async function pokeExternalTask(
  fields: ExternalTaskPokeFields,
  deps: { read: ReadDagRunStates; functions: SensorFunctions; ctx: TaskContext; softFail: boolean },
): Promise<ExternalTaskPokeResult> {
  const dates = await externalLogicalDates(fields, deps.functions, deps.ctx);
  const taskIds = fields.externalTaskIds && fields.externalTaskIds.length > 0 ? fields.externalTaskIds : null;
  const answers = await Promise.all(dates.map((date) => deps.read(fields.externalDagId, date, taskIds ?? undefined)));
  const count = (states: readonly string[]): number => {
    if (!taskIds) return answers.filter((answer) => answer.dagRun !== null && states.includes(answer.dagRun.state)).length;
    const matching = answers.flatMap((answer) =>
      answer.taskInstances.filter((ti) => taskIds.includes(ti.taskId) && states.includes(ti.state)),
    ).length;
    return matching / taskIds.length;
  };
  const what = taskIds ? `the external tasks ${JSON.stringify(taskIds)} in DAG "${fields.externalDagId}"` : `the external DAG "${fields.externalDagId}"`;
  deps.ctx.log.info(`Poking for ${what} on ${dates.map((date) => date.toISOString()).join(', ')} ...`);
  if (fields.failedStates.length > 0 && count(fields.failedStates) > 0) {
    const message = `${taskIds ? 'Some of ' : ''}${what} reached a failed state (${fields.failedStates.join(', ')}).`;
    if (deps.softFail) throw new SkipTask(`${message} Skipping due to softFail.`);
    throw new ExternalTaskFailedError(message);
  }
  if (fields.skippedStates.length > 0 && count(fields.skippedStates) > 0) {
    throw new SkipTask(`${what} reached a state in the sensor's skippedStates (${fields.skippedStates.join(', ')}). Skipping.`);
  }
  const allowedAt = (index: number): boolean => {
    const answer = answers[index]!;
    if (!taskIds) return answer.dagRun !== null && fields.allowedStates.includes(answer.dagRun.state);
    return taskIds.every((taskId) => answer.taskInstances.some((ti) => ti.taskId === taskId && fields.allowedStates.includes(ti.state)));
  };
  const done = count(fields.allowedStates) === dates.length;
  const pending = dates.findIndex((_, index) => !allowedAt(index));
  return { done, pendingDate: done ? null : (dates[pending === -1 ? 0 : pending] ?? null) };
}
