import type { z } from 'zod';
import type { OperationId } from './operations.ts';
import {
  finishRequestSchema,
  heartbeatRequestSchema,
  skipDownstreamRequestSchema,
  startRequestSchema,
  variableValueRequestSchema,
  xcomValueRequestSchema,
  triggerEventRequestSchema,
  triggerFailureRequestSchema,
} from './request-schemas.ts';
import {
  connectionResponseSchema,
  dagRunStatesSchema,
  healthResponseSchema,
  skipDownstreamResponseSchema,
  startedAttemptSchema,
  variableResponseSchema,
  xcomResponseSchema,
} from './response-schemas.ts';

/**
 * Every route of the Task Execution API, once: the app registers its handlers from this table and the
 * OpenAPI document is generated from it, so the two cannot disagree about paths, methods or bodies.
 */
export interface RouteSpec {
  method: 'get' | 'put' | 'patch' | 'post';
  /** OpenAPI form: `{id}` is an encoded task instance id, `{key}` an XCom key. */
  path: string;
  summary: string;
  description: string;
  authenticated: boolean;
  request?: z.ZodType;
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
  /** Error statuses this route may answer besides 400 and 500. */
  errors: Array<401 | 403 | 404 | 409 | 422>;
  /** The `detail.reason` values of this route's 409 answers. */
  conflictReasons?: string[];
  /** Path and query parameters besides the shared ones (`{id}`, `{key}`), described inline. */
  parameters?: Array<{ name: string; in: 'path' | 'query'; required: boolean; description: string }>;
}

const taskInstanceErrors: RouteSpec['errors'] = [401, 403, 404, 409];

// Deferral: the triggerer's reports, with the token of the deferred attempt.
const DEFERRAL_ROUTES: Record<'fireTrigger' | 'failTrigger', RouteSpec> = {
  fireTrigger: {
    method: 'post',
    path: '/execution/task-instances/{id}/trigger-event',
    summary: 'Report a fired trigger',
    description:
      'The triggerer reports that the trigger of a deferred attempt fired: the same try is scheduled again with the event ' +
      'added to its next kwargs, and queued at once. Repeating it after it was applied answers 204 again; an attempt that ' +
      'is no longer deferred (cleared, timed out, resumed and finished) or waits for another trigger answers 409.',
    authenticated: true,
    request: triggerEventRequestSchema,
    success: { status: 204, description: 'The attempt resumes.' },
    errors: taskInstanceErrors,
    conflictReasons: ['invalid_state'],
  },
  failTrigger: {
    method: 'post',
    path: '/execution/task-instances/{id}/trigger-failure',
    summary: 'Report a failed trigger',
    description:
      'The triggerer reports that the trigger of a deferred attempt failed (it threw, or its arguments are wrong): the ' +
      'attempt fails, up_for_retry while tries are left and failed after the last, as in Airflow. Repeating it answers 204 again.',
    authenticated: true,
    request: triggerFailureRequestSchema,
    success: { status: 204, description: 'The attempt failed.' },
    errors: taskInstanceErrors,
    conflictReasons: ['invalid_state'],
  },
};

export const ROUTES: Record<OperationId, RouteSpec> = {
  ...DEFERRAL_ROUTES,
  health: {
    method: 'get',
    path: '/execution/health',
    summary: 'Health check',
    description: 'Answers without a token; for load balancers and start-up probes.',
    authenticated: false,
    success: { status: 200, description: 'The API is up.', schema: healthResponseSchema },
    errors: [],
  },
  startTaskInstance: {
    method: 'patch',
    path: '/execution/task-instances/{id}/run',
    summary: 'Start an attempt',
    description:
      'The gate: moves the task instance from queued to running for the attempt the token names. A repeated ' +
      'start by the same worker is answered 200 again, so a retry after a lost answer is safe. A delayed delivery ' +
      "of a reschedule (with rescheduleDate) first takes the task's pool and concurrency slots: 409 pool_full when none is open.",
    authenticated: true,
    request: startRequestSchema,
    success: { status: 200, description: 'The attempt runs; here is what it needs.', schema: startedAttemptSchema },
    errors: [...taskInstanceErrors, 422],
    conflictReasons: ['running_elsewhere', 'invalid_state', 'pool_full'],
  },
  heartbeatTaskInstance: {
    method: 'put',
    path: '/execution/task-instances/{id}/heartbeat',
    summary: 'Heartbeat a running attempt',
    description: 'Send every heartbeatIntervalSeconds. A 409 not_running means: stop the task, it is no longer yours.',
    authenticated: true,
    request: heartbeatRequestSchema,
    success: { status: 204, description: 'Recorded.' },
    errors: taskInstanceErrors,
    conflictReasons: ['not_running'],
  },
  finishTaskInstance: {
    method: 'patch',
    path: '/execution/task-instances/{id}/state',
    summary: 'Finish an attempt',
    description:
      'Ends the attempt as success (with its return value and asset events), failed, skipped or up_for_retry; ' +
      'a retryable failure with tries left becomes up_for_retry, and failed after the last try. up_for_reschedule and ' +
      'deferred park the same try until its reschedule date or its trigger. Fields that do not belong to the state ' +
      'are refused with 400. Repeating a finish that was applied succeeds again.',
    authenticated: true,
    request: finishRequestSchema,
    success: { status: 204, description: 'Recorded; ready downstream tasks are queued.' },
    errors: taskInstanceErrors,
    conflictReasons: ['invalid_state'],
  },
  skipDownstreamTaskInstances: {
    method: 'patch',
    path: '/execution/task-instances/{id}/skip-downstream',
    summary: 'Skip downstream task instances',
    description:
      "Airflow's skip-downstream: a branching task (branch, short circuit, latest only) marks task instances of its " +
      'own run skipped before it reports success. Only the running attempt may call, and only tasks downstream of it ' +
      'may be named (403 otherwise). Instances that already started are left as they are; repeating the call is safe.',
    authenticated: true,
    request: skipDownstreamRequestSchema,
    success: { status: 200, description: 'What was skipped and what was left.', schema: skipDownstreamResponseSchema },
    errors: taskInstanceErrors,
    conflictReasons: ['not_running'],
  },
  getXCom: {
    method: 'get',
    path: '/execution/xcoms/{id}/{key}',
    summary: 'Read an XCom',
    description: 'Reads an XCom of a task instance of the same DAG run. 404 xcom_not_found when there is none.',
    authenticated: true,
    success: { status: 200, description: 'The XCom.', schema: xcomResponseSchema },
    errors: [401, 403, 404],
  },
  setXCom: {
    method: 'post',
    path: '/execution/xcoms/{id}/{key}',
    summary: 'Push an XCom',
    description: 'Pushes an XCom for the running attempt the token names; pushing the same key again replaces it.',
    authenticated: true,
    request: xcomValueRequestSchema,
    success: { status: 201, description: 'Stored.' },
    errors: taskInstanceErrors,
    conflictReasons: ['not_running'],
  },
  getVariable: {
    method: 'get',
    path: '/execution/variables/{key}',
    summary: 'Read a variable',
    description:
      'Searches the secrets backends in order (environment, Secrets Manager, metastore), as Airflow does. ' +
      '404 variable_not_found names every place searched.',
    authenticated: true,
    success: { status: 200, description: 'The variable.', schema: variableResponseSchema },
    errors: [401, 404],
  },
  setVariable: {
    method: 'put',
    path: '/execution/variables/{key}',
    summary: 'Store a variable',
    description: "Writes to the metastore, as Airflow's Variable.set does; a variable defined earlier in the search order still wins on reads.",
    authenticated: true,
    request: variableValueRequestSchema,
    success: { status: 204, description: 'Stored.' },
    errors: [401],
  },
  getConnection: {
    method: 'get',
    path: '/execution/connections/{connId}',
    summary: 'Read a connection',
    description:
      'Searches the secrets backends in order (environment, Secrets Manager, metastore). The answer holds the ' +
      'password: it is for the task that asked, and the runner masks it in the task log.',
    authenticated: true,
    success: { status: 200, description: 'The connection.', schema: connectionResponseSchema },
    errors: [401, 404],
  },
  getDagRunStates: {
    method: 'get',
    path: '/execution/dag-runs/{dagId}/states',
    summary: "Read another DAG run's states",
    description:
      'The run of a DAG for a logical date (null when there is none; the newest when several share it) and the states of ' +
      'its task instances, only those of taskIds when given. For externalTaskSensor and external-run triggers; any valid ' +
      "attempt token may read any DAG, as Airflow's Execution API allows.",
    authenticated: true,
    success: { status: 200, description: 'The run and its task states.', schema: dagRunStatesSchema },
    errors: [401],
    parameters: [
      { name: 'dagId', in: 'path', required: true, description: 'The DAG to read.' },
      { name: 'logicalDate', in: 'query', required: true, description: 'The run\'s logical date, an ISO 8601 instant.' },
      { name: 'taskIds', in: 'query', required: false, description: 'Comma-separated task ids; absent lists every task instance.' },
    ],
  },
};

/** `/a/{id}` → `/a/:id`, Hono's form. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
