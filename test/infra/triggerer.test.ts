import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, roleOf, servicesOf, statementsOf } from './iam-statements.ts';
import { FARGATE_CONTEXT, functionNamed, resourcesOf, synthUpdraftStack } from './synth-stack.ts';

/** The triggerer has the worker's posture: no metastore, no secret; the scheduler feeds it through its own queue. */

let template: Template;
beforeAll(() => {
  ({ template } = synthUpdraftStack({ ...FARGATE_CONTEXT, assetBuckets: 'landing-zone' }));
});

const roleNamed = (name: string) => roleOf(functionNamed(template, name)[1]);

describe('the triggerer function', () => {
  it('has no DynamoDB and no Secrets Manager permission', () => {
    const services = servicesOf(template, roleNamed('triggerer'));
    expect(services.has('dynamodb')).toBe(false);
    expect(services.has('secretsmanager')).toBe(false);
    expect(services).toEqual(new Set(['s3', 'sqs', 'logs']));
  });

  it('reads DAG bundles and the asset buckets (s3_key triggers), and writes nothing to S3', () => {
    const s3 = statementsOf(template, roleNamed('triggerer')).filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(new Set(actionsOf(s3))).toEqual(new Set(['s3:GetObject', 's3:ListBucket']));
    const text = JSON.stringify(s3.map((s) => s.Resource));
    expect(text).toContain('bundles/*');
    expect(text).toContain('landing-zone/*');
  });

  it('is fed by the trigger queue, which only the scheduler may send to', () => {
    const [queueId] = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) => id.startsWith('TriggerQueue') && !id.includes('DeadLetter'))!;
    const mapping = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: functionNamed(template, 'triggerer')[0] }),
    );
    expect(JSON.stringify(mapping?.[1].Properties.EventSourceArn)).toContain(queueId);
    const senders = ['scheduler', 'dag-processor', 'worker', 'execution-api', 'rest-api', 'triggerer'].filter((name) =>
      statementsOf(template, roleNamed(name)).some((s) => actionsOf([s]).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queueId)),
    );
    expect(senders).toEqual(['scheduler']);
  });

  it('gives the scheduler the trigger queue URL and the triggerer the Execution API URL', () => {
    const env = (name: string) => functionNamed(template, name)[1].Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env('triggerer')).sort()).toEqual(['UPDRAFT_BUCKET', 'UPDRAFT_EXECUTION_API_URL']);
    expect(JSON.stringify(env('scheduler').UPDRAFT_TRIGGER_QUEUE_URL)).toMatch(/"TriggerQueue(?!DeadLetter)/);
  });
});
