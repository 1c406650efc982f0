import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readStackConfig } from '../../infra/stack-config.ts';
import { FUNCTION_NAMES } from '../../src/core/deployment/function-names.ts';
import { actionsOf, roleOf, statementsOf } from './iam-statements.ts';
import { FARGATE_CONTEXT, functionNamed, synthUpdraftStack } from './synth-stack.ts';

const TOPICS = ['arn:aws:sns:eu-west-1:123456789012:etl-alerts', 'arn:aws:sns:us-east-1:123456789012:pager.fifo'];

/** Every role of the stack that may sns:Publish, with the topics it may publish to. */
function publishers(template: Template): Record<string, unknown[]> {
  const found: Record<string, unknown[]> = {};
  for (const roleId of Object.keys(template.findResources('AWS::IAM::Role'))) {
    const publishing = statementsOf(template, roleId).filter((s) => actionsOf([s]).some((action) => action === 'sns:Publish' || action === 'sns:*'));
    if (publishing.length > 0) found[roleId] = publishing.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  }
  return found;
}

describe('notificationTopicArns', () => {
  it('lets the worker and the fargate task role publish to the named topics only, and nobody else', () => {
    const { template } = synthUpdraftStack({ ...FARGATE_CONTEXT, notificationTopicArns: TOPICS.join(',') });
    const worker = roleOf(functionNamed(template, 'worker')[1]);
    const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!;
    const containerTaskRole = taskDefinition.Properties.TaskRoleArn['Fn::GetAtt'][0] as string;
    expect(publishers(template)).toEqual({ [worker]: TOPICS, [containerTaskRole]: TOPICS });
    const functionRoles = FUNCTION_NAMES.filter((name) => name !== 'worker').map((name) => roleOf(functionNamed(template, name)[1]));
    for (const role of functionRoles) expect(publishers(template)[role]).toBeUndefined();
  });

  it('grants no SNS permission without topics', () => {
    const { template } = synthUpdraftStack(FARGATE_CONTEXT);
    expect(publishers(template)).toEqual({});
  });

  it('refuses wildcards and values that are not topic ARNs', () => {
    const read = (value: string) => () => readStackConfig((key) => (key === 'notificationTopicArns' ? value : undefined));
    expect(read('arn:aws:sns:eu-west-1:123456789012:*')).toThrow(/notificationTopicArns.0.*must be SNS topic ARNs/);
    expect(read('etl-alerts')).toThrow(/notificationTopicArns/);
    expect(readStackConfig((key) => (key === 'notificationTopicArns' ? TOPICS.join(', ') : undefined)).notificationTopicArns).toEqual(TOPICS);
  });
});
