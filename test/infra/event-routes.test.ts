import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_ROUTES, type EventRoute } from '../../src/core/deployment/event-routes.ts';
import { LOCAL_DELIVERY, localTaskQueuePolling, localTickIntervalMs } from '../../src/local/local-event-routes.ts';
import { LOCAL_DEFAULTS } from '../../src/local/local-config.ts';
import { FARGATE_CONTEXT, functionNamed, resourcesOf, synthUpdraftStack, type Resource } from './synth-stack.ts';

const functionArn = (template: Template, name: string) => ({ 'Fn::GetAtt': [functionNamed(template, name)[0], 'Arn'] });

/** The EventBridge rules of the stack, with the function each one targets. */
function rules(template: Template): { id: string; rule: Resource; target: unknown }[] {
  return resourcesOf(template, 'AWS::Events::Rule').map(([id, rule]) => ({ id, rule, target: rule.Properties.Targets[0].Arn }));
}

/** Where the stack wired one route, or null: the CloudFormation resource that delivers it. */
function wiredRoute(template: Template, route: EventRoute): Resource | null {
  const target = functionArn(template, route.target);
  const source = route.source;
  switch (source.kind) {
    case 'schedule':
      return rules(template).find(({ rule, target: arn }) => rule.Properties.ScheduleExpression === `rate(${source.everyMinutes} minute${source.everyMinutes > 1 ? 's' : ''})` && JSON.stringify(arn) === JSON.stringify(target))?.rule ?? null;
    case 'bucket-object':
      return (
        rules(template).find(
          ({ rule, target: arn }) =>
            JSON.stringify(arn) === JSON.stringify(target) &&
            JSON.stringify(rule.Properties.EventPattern?.['detail-type']) === JSON.stringify(source.detailTypes) &&
            JSON.stringify(rule.Properties.EventPattern?.detail?.object?.key) === JSON.stringify([{ prefix: source.keyPrefix }]),
        )?.rule ?? null
      );
    case 'asset-bucket-object':
      return (
        rules(template).find(
          ({ rule, target: arn }) =>
            JSON.stringify(arn) === JSON.stringify(target) &&
            JSON.stringify(rule.Properties.EventPattern?.['detail-type']) === JSON.stringify(source.detailTypes) &&
            JSON.stringify(rule.Properties.EventPattern?.detail?.bucket?.name) === JSON.stringify(ASSET_CONTEXT.assetBuckets.split(',')) &&
            rule.Properties.EventPattern?.detail?.object === undefined,
        )?.rule ?? null
      );
    case 'ecs-task-state-change':
      return (
        rules(template).find(
          ({ rule, target: arn }) =>
            JSON.stringify(arn) === JSON.stringify(target) &&
            rule.Properties.EventPattern?.['detail-type']?.[0] === 'ECS Task State Change' &&
            JSON.stringify(rule.Properties.EventPattern.detail.lastStatus) === JSON.stringify(source.lastStatuses),
        )?.rule ?? null
      );
    case 'task-queue':
    case 'trigger-queue':
      return (
        resourcesOf(template, 'AWS::Lambda::EventSourceMapping').find(
          ([, mapping]) => JSON.stringify(mapping.Properties.FunctionName) === JSON.stringify({ Ref: functionNamed(template, route.target)[0] }) && mapping.Properties.BatchSize === source.batchSize,
        )?.[1] ?? null
      );
    case 'http': {
      const integration = resourcesOf(template, 'AWS::ApiGatewayV2::Integration').find(([, i]) => JSON.stringify(i.Properties.IntegrationUri) === JSON.stringify(target));
      if (!integration) return null;
      return resourcesOf(template, 'AWS::ApiGatewayV2::Route').find(([, r]) => JSON.stringify(r.Properties.Target).includes(integration[0]) && r.Properties.RouteKey === '$default')?.[1] ?? null;
    }
  }
}

/** Users' buckets whose new objects update assets; without any, the stack routes no such events. */
const ASSET_CONTEXT = { assetBuckets: 'landing-zone,partner-drops' } as const;

describe.each([
  ['with the fargate executor and asset buckets', { ...FARGATE_CONTEXT, ...ASSET_CONTEXT }, EVENT_ROUTES],
  [
    'without them (no ECS events, no asset buckets to route)',
    {},
    EVENT_ROUTES.filter((route) => route.source.kind !== 'ecs-task-state-change' && route.source.kind !== 'asset-bucket-object'),
  ],
])('the stack %s wires exactly the declared event routes', (_label, context, expected) => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthUpdraftStack(context));
  });

  it.each(expected.map((route) => [route.id, route] as const))('%s', (_id, route) => {
    expect(wiredRoute(template, route), `${route.id} → ${route.target}`).not.toBeNull();
  });

  it('and nothing else invokes a function', () => {
    const ruleRoutes = expected.filter((route) =>
      ['schedule', 'bucket-object', 'asset-bucket-object', 'ecs-task-state-change'].includes(route.source.kind),
    );
    expect(rules(template)).toHaveLength(ruleRoutes.length);
    expect(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).toHaveLength(expected.filter((r) => r.source.kind === 'task-queue' || r.source.kind === 'trigger-queue').length);
    expect(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).toHaveLength(expected.filter((r) => r.source.kind === 'http').length);
  });
});

describe('local mode reads the same routes', () => {
  it('delivers every route the declaration says it emulates, and says why for the others', () => {
    for (const route of EVENT_ROUTES) {
      if (route.local === 'emulated') expect(LOCAL_DELIVERY[route.source.kind], route.id).not.toBeNull();
      else {
        expect(LOCAL_DELIVERY[route.source.kind], route.id).toBeNull();
        expect(route.local.notEmulated.length, route.id).toBeGreaterThan(20);
      }
    }
  });

  it('ticks at the schedule route\'s local interval and polls the task queue with its batch size', () => {
    const schedule = EVENT_ROUTES.find((route) => route.source.kind === 'schedule')!.source as { localEverySeconds: number };
    expect(localTickIntervalMs()).toBe(schedule.localEverySeconds * 1000);
    expect(LOCAL_DEFAULTS.tickIntervalMs).toBe(localTickIntervalMs());
    const queue = EVENT_ROUTES.find((route) => route.source.kind === 'task-queue')!.source as { batchSize: number };
    expect(localTaskQueuePolling().batchSize).toBe(queue.batchSize);
  });
});
