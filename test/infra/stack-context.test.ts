import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthUpdraftStack } from './synth-stack.ts';

// The same overrides a user would pass as `cdk deploy -c stage=prod -c deletionProtection=false ...`.
let template: Template;
let stackName: string;

beforeAll(() => {
  ({ template, stackName } = synthUpdraftStack({ stage: 'prod', deletionProtection: 'false', logRetentionDays: '30' }));
});

describe('UpdraftStack with context overrides', () => {
  it('is named after the stage and tags resources with it', () => {
    expect(stackName).toBe('updraft-prod');
    template.hasResourceProperties('AWS::SQS::Queue', { Tags: [{ Key: 'updraft:stage', Value: 'prod' }] });
  });

  it('turns deletion protection off and lets the table go with the stack', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
    expect(table!.Properties.Replicas[0].DeletionProtectionEnabled).toBe(false);
    expect(table!.DeletionPolicy).toBe('Delete');
  });

  it('keeps point-in-time recovery on regardless', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
    expect(table!.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('expires task logs after the configured number of days', () => {
    const [bucket] = Object.values(template.findResources('AWS::S3::Bucket'));
    const rules = bucket!.Properties.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[];
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined)).toEqual([
      expect.objectContaining({ Prefix: 'logs/', ExpirationInDays: 30 }),
    ]);
  });
});
