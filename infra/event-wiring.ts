import { Duration } from 'aws-cdk-lib';
import type { CfnCluster } from 'aws-cdk-lib/aws-ecs';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_ROUTES, type EventRoute } from '../src/core/deployment/event-routes.ts';
import type { FunctionName } from '../src/core/deployment/function-names.ts';
import type { HttpEndpoint } from './http-endpoint.ts';

export interface EventWiringProps {
  functions: Readonly<Record<FunctionName, IFunction>>;
  bucketName: string;
  taskQueue: IQueue;
  /** Trigger batches for the triggerer; absent: the trigger-queue route is not wired. */
  triggerQueue?: IQueue;
  /** Events the DAG processor could not take after its retries wait here (nothing is lost). */
  eventDeadLetterQueue: IQueue;
  endpoints: Readonly<Record<'execution-api' | 'rest-api', HttpEndpoint>>;
  /** The users' buckets whose new objects become asset events (the stack's `assetBuckets`); none: no rule. */
  assetBuckets?: readonly string[];
  /** The ECS cluster of the fargate executor, when deployed. */
  cluster: CfnCluster | null;
  /** The worker's concurrency cap on the event source mapping (at least 2, SQS's minimum). */
  workerMaxConcurrency: number;
  routes?: readonly EventRoute[];
}

/** Concurrent triggerer invocations at most (each polls one batch of up to 25 triggers). */
export const TRIGGERER_MAX_CONCURRENCY = 10;

/** Why an API has no API Gateway authorizer. */
const AUTHORIZATION_REASONS: Record<'execution-api' | 'rest-api', string> = {
  'execution-api':
    'Every Execution API route but health checks a short-lived task token (JWT) that the scheduler signs for one attempt; ' +
    'workers in Lambda and Fargate call it over HTTPS without AWS credentials for Updraft state.',
  'rest-api':
    'The REST API authenticates every route but health, version and login in the app, through its pluggable auth manager ' +
    '(JWTs signed with a secret only this function reads), as Airflow does.',
};

/**
 * Turns every event route (src/core/deployment/event-routes.ts) into what invokes its function in AWS:
 * EventBridge rules, the task queue's event source mapping and the HTTP APIs' routes. The local runtime
 * reads the same routes, so local mode is wired as AWS is.
 */
export class EventWiring extends Construct {
  /** Route id → the construct that delivers it (for tests and for the stack's outputs). */
  readonly wired = new Map<string, Construct | SqsEventSource>();

  constructor(scope: Construct, id: string, props: EventWiringProps) {
    super(scope, id);
    for (const route of props.routes ?? EVENT_ROUTES) {
      const target = props.functions[route.target];
      const source = route.source;
      switch (source.kind) {
        case 'schedule':
          this.wired.set(
            route.id,
            new Rule(this, route.id, {
              description: route.description,
              schedule: Schedule.rate(Duration.minutes(source.everyMinutes)),
              // A missed tick is made up by the next one: no retries that would pile ticks up.
              targets: [new LambdaTarget(target, { retryAttempts: 0, maxEventAge: Duration.minutes(source.everyMinutes) })],
            }),
          );
          break;
        case 'bucket-object':
          this.wired.set(
            route.id,
            this.s3EventRule(route, source.detailTypes, target, props, {
              bucket: { name: [props.bucketName] },
              object: { key: [{ prefix: source.keyPrefix }] },
            }),
          );
          break;
        case 'asset-bucket-object':
          if (!props.assetBuckets?.length) break;
          this.wired.set(route.id, this.s3EventRule(route, source.detailTypes, target, props, { bucket: { name: [...props.assetBuckets] } }));
          break;
        case 'ecs-task-state-change':
          if (!props.cluster) break;
          this.wired.set(
            route.id,
            new Rule(this, route.id, {
              description: route.description,
              eventPattern: {
                source: ['aws.ecs'],
                detailType: ['ECS Task State Change'],
                detail: { clusterArn: [props.cluster.attrArn], lastStatus: [...source.lastStatuses] },
              },
              // DescribeTasks on the next tick finds what a lost event would have said.
              targets: [new LambdaTarget(target, { retryAttempts: 2, maxEventAge: Duration.minutes(10) })],
            }),
          );
          break;
        case 'task-queue': {
          const mapping = new SqsEventSource(props.taskQueue, {
            batchSize: source.batchSize,
            maxBatchingWindow: source.maxBatchingWindowSeconds > 0 ? Duration.seconds(source.maxBatchingWindowSeconds) : undefined,
            reportBatchItemFailures: true,
            maxConcurrency: props.workerMaxConcurrency,
          });
          target.addEventSource(mapping);
          this.wired.set(route.id, mapping);
          break;
        }
        case 'trigger-queue': {
          if (!props.triggerQueue) break;
          const mapping = new SqsEventSource(props.triggerQueue, {
            batchSize: source.batchSize,
            maxBatchingWindow: source.maxBatchingWindowSeconds > 0 ? Duration.seconds(source.maxBatchingWindowSeconds) : undefined,
            reportBatchItemFailures: true,
            // Triggers of one tick spread over a few concurrent pollers; a big backlog waits a little.
            maxConcurrency: TRIGGERER_MAX_CONCURRENCY,
          });
          target.addEventSource(mapping);
          this.wired.set(route.id, mapping);
          break;
        }
        case 'http':
          this.wired.set(route.id, props.endpoints[source.api].routeAllTo(target, AUTHORIZATION_REASONS[source.api]));
          break;
      }
    }
  }

  /**
   * A rule for S3 object events (EventBridge notifications of the named buckets). A lost event would be a
   * DAG file never parsed or a run never started, so failed deliveries are retried for a day and then
   * kept in the dead-letter queue.
   */
  private s3EventRule(
    route: EventRoute,
    detailTypes: readonly string[],
    target: IFunction,
    props: EventWiringProps,
    detail: Record<string, unknown>,
  ): Rule {
    return new Rule(this, route.id, {
      description: route.description,
      eventPattern: { source: ['aws.s3'], detailType: [...detailTypes], detail },
      targets: [new LambdaTarget(target, { retryAttempts: 8, maxEventAge: Duration.hours(24), deadLetterQueue: props.eventDeadLetterQueue })],
    });
  }
}
