import {
  EVENT_ROUTES,
  routesForBucketObject,
  singleRoute,
  type EventRoute,
  type EventRouteSource,
} from '../core/deployment/event-routes.ts';
import type { Logger } from '../core/ports/logger.ts';
import type { ObjectEvent } from '../services/dag-processing/dag-processor.ts';

/**
 * How local mode delivers each kind of event route, or null where it has none (the route then says
 * why in its `local` field). The agreement test checks this against EVENT_ROUTES and the CDK stack.
 */
export const LOCAL_DELIVERY: Readonly<Record<EventRouteSource['kind'], string | null>> = {
  schedule: 'LocalStack.startTicking: a timer at the route\'s localEverySeconds',
  'bucket-object': 'DagFolderSync raises the S3 events of the watched folder; LocalEventRouter hands them to the routes\' targets',
  'asset-bucket-object': null,
  'ecs-task-state-change': null,
  'task-queue': 'WorkerPool: worker processes poll the local queue with the route\'s batch size (the Lambda SQS poller\'s twin)',
  http: 'LocalStack serves the Execution API and the REST API on localhost',
  'trigger-queue': "LocalStack: an SQS event source in its own process polls the trigger queue with the route's batch size and runs the triggerer handler",
};

/** The local twins of the functions that bucket object events invoke. */
export interface LocalObjectEventTargets {
  'dag-processor': (event: ObjectEvent) => Promise<unknown>;
}

/**
 * Routes the S3 object events that local mode raises to the functions EVENT_ROUTES names for them, as
 * EventBridge does in AWS. An event no route matches is dropped, as in AWS.
 */
export class LocalEventRouter {
  constructor(
    private readonly targets: LocalObjectEventTargets,
    private readonly logger: Logger,
    private readonly routes: readonly EventRoute[] = EVENT_ROUTES,
  ) {}

  async bucketObject(event: ObjectEvent): Promise<number> {
    const routes = routesForBucketObject(event.detailType, event.key, this.routes);
    for (const route of routes) {
      const target = route.target as keyof LocalObjectEventTargets;
      const deliver = this.targets[target];
      if (!deliver) {
        this.logger.error(`Event route ${route.id} targets ${route.target}, which local mode does not run; the event is dropped`, { key: event.key });
        continue;
      }
      await deliver(event);
    }
    return routes.length;
  }
}

/** The scheduler's local tick interval, from its schedule route. */
export function localTickIntervalMs(routes: readonly EventRoute[] = EVENT_ROUTES): number {
  return singleRoute('schedule', routes).source.localEverySeconds * 1000;
}

/**
 * Pollers per local worker process. Each receives up to 10 messages at a time and invokes the handler per
 * `batchSize` of them, as Lambda's pollers do, so a process runs up to 20 attempts at once. Few pollers
 * on purpose: the emulator wakes every waiting poller for each new message.
 */
export const LOCAL_POLLERS_PER_WORKER_PROCESS = 2;

/** The worker processes' SQS polling, with the task queue route's batch size. */
export function localTaskQueuePolling(routes: readonly EventRoute[] = EVENT_ROUTES): { batchSize: number; pollers: number } {
  return { batchSize: singleRoute('task-queue', routes).source.batchSize, pollers: LOCAL_POLLERS_PER_WORKER_PROCESS };
}

/** The trigger queue's local polling (in the LocalStack process), with the trigger-queue route's batch size. */
export function localTriggerQueuePolling(routes: readonly EventRoute[] = EVENT_ROUTES): { batchSize: number; pollers: number } {
  return { batchSize: singleRoute('trigger-queue', routes).source.batchSize, pollers: 1 };
}
