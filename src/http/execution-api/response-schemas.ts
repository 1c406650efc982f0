import { z } from 'zod';
import { DAG_RUN_STATES, DAG_RUN_TYPES, TASK_INSTANCE_STATES } from '../../core/model/states.ts';
import type { DagRunStates, StartedAttempt } from '../../services/execution/attempt-messages.ts';

/**
 * Answers of the Task Execution API at head, in zod so that the OpenAPI document describes them. The
 * service builds its answers as TypeScript types; the checks at the end keep the two in step.
 */

const isoInstant = z.iso.datetime({ offset: true });
const jsonObject = z.record(z.string(), z.unknown());

export const startedAttemptSchema = z
  .object({
    dagRun: z.object({
      dagId: z.string(),
      runId: z.string(),
      logicalDate: isoInstant,
      dataIntervalStart: isoInstant,
      dataIntervalEnd: isoInstant,
      runAfter: isoInstant.meta({ description: 'Since 2026-11-22. The earliest time the run could start.' }),
      runType: z.enum(DAG_RUN_TYPES),
      conf: jsonObject,
    }),
    taskInstance: z.object({
      taskId: z.string(),
      mapIndex: z.number().int().meta({ description: '-1 for a task that is not mapped.' }),
      tryNumber: z.number().int().positive(),
      maxTries: z.number().int().positive(),
      nextMethod: z
        .string()
        .nullable()
        .meta({ description: 'Set when the attempt resumes after a deferral: the method to continue in. Null otherwise.' }),
      nextKwargs: jsonObject
        .nullable()
        .meta({ description: "The resumed method's arguments, including the trigger's event. Null when not resuming." }),
      firstRescheduleDate: isoInstant
        .nullable()
        .meta({ description: "Since 2026-11-23. When this try first poked before a reschedule; null on its first run. A sensor's timeout counts from it." }),
    }),
    params: jsonObject.meta({ description: "The DAG's params resolved against the run's conf." }),
    upstreamXComs: jsonObject.meta({
      description:
        '`return_value` XComs of the upstream and argument tasks, by task id; missing ones are omitted. A mapped ' +
        "upstream's is the list of its instances' values by map index (the value at the reader's own map index " +
        'when both are in the same mapped task group).',
    }),
    mappedInputs: z
      .object({
        args: jsonObject.meta({ description: 'The value of each mapped TaskFlow argument, by position ("0", "1", ...).' }),
        fields: jsonObject.meta({ description: 'The value of each mapped template field, by name.' }),
      })
      .optional()
      .meta({
        description:
          'Since 2026-11-23. Only for an instance of a mapped task (mapIndex >= 0): the elements of the lists it maps over ' +
          'at its map index (dynamic task mapping).',
      }),
    heartbeatIntervalSeconds: z.number().int().positive(),
  })
  .meta({ description: 'What the runner needs to run the attempt.' });

export const xcomResponseSchema = z
  .object({ key: z.string(), value: z.unknown().meta({ description: 'Any JSON value, null included.' }) })
  ;

export const variableResponseSchema = z.object({ key: z.string(), value: z.string() });

export const connectionResponseSchema = z
  .object({
    connId: z.string(),
    connType: z.string(),
    host: z.string().nullable(),
    login: z.string().nullable(),
    password: z.string().nullable(),
    schema: z.string().nullable(),
    port: z.number().int().nullable(),
    extra: jsonObject,
  })
  .meta({ description: "A connection, as Airflow's Connection model has it (camelCase)." });

export const dagRunStatesSchema = z
  .object({
    dagRun: z
      .object({ runId: z.string(), state: z.enum(DAG_RUN_STATES) })
      .nullable()
      .meta({ description: 'The run for the logical date; null when the DAG has none (yet).' }),
    taskInstances: z.array(z.object({ taskId: z.string(), mapIndex: z.number().int(), state: z.enum(TASK_INSTANCE_STATES) })),
  })
  .meta({ description: "Another DAG run's state and its task instances' states." });

const taskInstanceRef = z.object({ taskId: z.string(), mapIndex: z.number().int() });

export const skipDownstreamResponseSchema = z
  .object({
    skipped: z.array(taskInstanceRef).meta({ description: 'Instances now skipped (by this call or a repeat of it).' }),
    unchanged: z
      .array(taskInstanceRef.extend({ state: z.enum(TASK_INSTANCE_STATES) }))
      .meta({ description: 'Named instances that had already started or finished, left as they are.' }),
  })
  .meta({ description: 'What skip-downstream did to each named task instance.' });

export const healthResponseSchema = z.object({ status: z.literal('ok') });

/** Every `detail.reason` the API answers with; a client branches on the reason, never on the message. */
export const ERROR_REASONS = [
  'validation',
  'invalid_token',
  'forbidden',
  'not_found',
  'xcom_not_found',
  'variable_not_found',
  'connection_not_found',
  'running_elsewhere',
  'invalid_state',
  'not_running',
  'pool_full',
  'mapped_input',
  'internal_error',
] as const;

export const errorBodySchema = z
  .object({
    detail: z
      .looseObject({
        reason: z.enum(ERROR_REASONS),
        message: z.string().meta({ description: 'For people: what was wrong and what to do.' }),
        field: z.string().nullable().optional().meta({ description: 'With reason validation: the offending field.' }),
        currentState: z.string().optional().meta({ description: 'With a 409: the task instance state now.' }),
        supportedVersions: z
          .array(z.string())
          .optional()
          .meta({ description: 'With an unsupported Updraft-Api-Version: the versions this server speaks.' }),
      }),
  })
  .meta({ description: "Every error answer, as Airflow's Execution API shapes them." });

// Compile-time: the schema and the service's type must describe the same answer.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const startedMatches: Same<z.output<typeof startedAttemptSchema>, StartedAttempt> = true;
void startedMatches;
const dagRunStatesMatch: Same<z.output<typeof dagRunStatesSchema>, DagRunStates> = true;
void dagRunStatesMatch;
