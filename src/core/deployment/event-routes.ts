import { DAG_PREFIX } from '../model/bucket-layout.ts';
import type { FunctionName } from './function-names.ts';

/**
 * Which event invokes which function, declared once as data. The CDK stack turns each route into an
 * EventBridge rule, an event source mapping or an HTTP API; the local runtime reads the same routes to
 * decide what to call when a DAG file changes, how often to tick, and which queue its workers poll. A test
 * checks that both wire exactly these routes.
 */
export type EventRouteSource =
  /** A fixed rate: an EventBridge schedule in AWS, a timer locally (faster, so local runs do not wait). */
  | { kind: 'schedule'; everyMinutes: number; localEverySeconds: number }
  /** S3 object events of the Updraft bucket under a prefix, through EventBridge (locally: the folder watcher). */
  | { kind: 'bucket-object'; detailTypes: readonly BucketObjectDetailType[]; keyPrefix: string }
  /**
   * S3 "Object Created" events of the users' own buckets named in the stack's `assetBuckets` (none by
   * default): asset events for the assets the object updates. Each bucket must send its events to
   * EventBridge (a bucket setting the stack cannot change on a bucket it does not own).
   */
  | { kind: 'asset-bucket-object'; detailTypes: readonly ['Object Created'] }
  /** ECS task state changes of the cluster's tasks, for the fargate executor (no local twin: see `local`). */
  | { kind: 'ecs-task-state-change'; lastStatuses: readonly string[] }
  /** Messages of the task queue (the lambda executor), polled in batches. */
  | { kind: 'task-queue'; batchSize: number; maxBatchingWindowSeconds: number }
  /** Messages of the trigger queue: batches of deferred tasks' triggers the scheduler sends each tick. */
  | { kind: 'trigger-queue'; batchSize: number; maxBatchingWindowSeconds: number }
  /** Requests to one of the HTTP APIs. */
  | { kind: 'http'; api: 'execution-api' | 'rest-api' };

export type BucketObjectDetailType = 'Object Created' | 'Object Deleted';

export interface EventRoute {
  /** Stable id: names the rule or mapping in the stack. */
  id: string;
  description: string;
  source: EventRouteSource;
  target: FunctionName;
  /**
   * How local mode delivers it: `emulated` when the local runtime raises the same event, or the reason it
   * has no local twin.
   */
  local: 'emulated' | { notEmulated: string };
}

export const EVENT_ROUTES: readonly EventRoute[] = [
  {
    id: 'SchedulerTick',
    description: 'Ticks the scheduler: due runs, ready tasks, timeouts',
    source: { kind: 'schedule', everyMinutes: 1, localEverySeconds: 1 },
    target: 'scheduler',
    local: 'emulated',
  },
  {
    id: 'DagFileChanged',
    description: 'A DAG file was uploaded or deleted under dags/',
    source: { kind: 'bucket-object', detailTypes: ['Object Created', 'Object Deleted'], keyPrefix: DAG_PREFIX },
    target: 'dag-processor',
    local: 'emulated',
  },
  {
    id: 'AssetObjectCreated',
    description: 'An object was created in an asset bucket: asset events for the assets it updates, then a tick',
    source: { kind: 'asset-bucket-object', detailTypes: ['Object Created'] },
    // Not the DAG processor: it parses user code and must stay busy with DAG files only.
    target: 'scheduler',
    local: {
      notEmulated:
        'local mode has no user buckets and its S3 emulator raises no events; post asset events to the REST API (POST /api/v2/assets/events)',
    },
  },
  {
    id: 'FargateTaskStopped',
    description: 'An ECS task of the fargate executor stopped: the scheduler learns its fate at once',
    source: { kind: 'ecs-task-state-change', lastStatuses: ['STOPPED'] },
    target: 'scheduler',
    local: { notEmulated: 'locally the fargate executor runs the container entry as a child process and sees it exit' },
  },
  {
    id: 'TaskQueue',
    description: 'Task attempts queued by the lambda executor',
    // One attempt per invocation: a batch would share one Lambda timeout between tasks.
    source: { kind: 'task-queue', batchSize: 1, maxBatchingWindowSeconds: 0 },
    target: 'worker',
    local: 'emulated',
  },
  {
    id: 'TriggerQueue',
    description: 'Trigger batches of deferred tasks, sent by the scheduler tick',
    // One message (up to 25 triggers) per invocation: each poll is bounded, so one batch fits the timeout.
    source: { kind: 'trigger-queue', batchSize: 1, maxBatchingWindowSeconds: 0 },
    target: 'triggerer',
    local: 'emulated',
  },
  {
    id: 'ExecutionApiRequest',
    description: 'Task Execution API calls of the task runners',
    source: { kind: 'http', api: 'execution-api' },
    target: 'execution-api',
    local: 'emulated',
  },
  {
    id: 'RestApiRequest',
    description: 'REST API v2 calls of users, the CLI and the UI',
    source: { kind: 'http', api: 'rest-api' },
    target: 'rest-api',
    local: 'emulated',
  },
];

/** The routes a bucket object event of this key and type invokes. */
export function routesForBucketObject(detailType: BucketObjectDetailType, key: string, routes: readonly EventRoute[] = EVENT_ROUTES): EventRoute[] {
  return routes.filter(
    (route) => route.source.kind === 'bucket-object' && route.source.detailTypes.includes(detailType) && key.startsWith(route.source.keyPrefix),
  );
}

/** The one route of a kind that must exist exactly once (the schedule, the task queue...). */
export function singleRoute<Kind extends EventRouteSource['kind']>(
  kind: Kind,
  routes: readonly EventRoute[] = EVENT_ROUTES,
): EventRoute & { source: Extract<EventRouteSource, { kind: Kind }> } {
  const matching = routes.filter((route) => route.source.kind === kind);
  if (matching.length !== 1) throw new Error(`Expected exactly one "${kind}" event route, found ${matching.length}.`);
  return matching[0] as EventRoute & { source: Extract<EventRouteSource, { kind: Kind }> };
}
