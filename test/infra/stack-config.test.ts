import { describe, expect, it } from 'vitest';
import { InfraConfigError } from '../../infra/errors.ts';
import { readStackConfig, STACK_CONFIG_DEFAULTS, type StackConfig } from '../../infra/stack-config.ts';

const read = (context: Partial<Record<keyof StackConfig, unknown>>) => readStackConfig((key) => context[key]);

describe('readStackConfig', () => {
  it('defaults to stage dev, deletion protection on, 90 days of logs, the lambda executor and no e-mail', () => {
    expect(read({})).toEqual(STACK_CONFIG_DEFAULTS);
    expect(read({})).toMatchObject({ stage: 'dev', deletionProtection: true, logRetentionDays: 90, parallelism: 32, executors: ['lambda'], alarmEmail: null });
  });

  it('reads lists from -c as comma-separated strings and from cdk.json as arrays', () => {
    expect(read({ executors: 'lambda, fargate', fargateSubnetIds: 'subnet-0a1b,subnet-2c3d' })).toMatchObject({
      executors: ['lambda', 'fargate'],
      fargateSubnetIds: ['subnet-0a1b', 'subnet-2c3d'],
    });
    expect(read({ executors: ['fargate'], fargateSubnetIds: ['subnet-0a1b'] })).toMatchObject({ executors: ['fargate'] });
  });

  it('reads the asset buckets as a list of bucket names, none by default', () => {
    expect(read({}).assetBuckets).toEqual([]);
    expect(read({ assetBuckets: 'landing-zone, partner.drops' }).assetBuckets).toEqual(['landing-zone', 'partner.drops']);
    expect(read({ assetBuckets: ['landing-zone'] }).assetBuckets).toEqual(['landing-zone']);
  });

  it('accepts the worker sizing, parallelism, Fargate task size and alarm e-mail', () => {
    expect(
      read({ parallelism: '64', workerMemoryMb: '3008', workerTimeoutSeconds: '600', fargateCpu: '2048', fargateMemoryMb: '8192', alarmEmail: 'ops@example.com' }),
    ).toMatchObject({ parallelism: 64, workerMemoryMb: 3008, workerTimeoutSeconds: 600, fargateCpu: 2048, fargateMemoryMb: 8192, alarmEmail: 'ops@example.com' });
  });

  it('accepts values as -c passes them (strings) and as cdk.json holds them (JSON types)', () => {
    expect(read({ stage: 'team-a', deletionProtection: 'false', logRetentionDays: '7' })).toMatchObject({
      stage: 'team-a',
      deletionProtection: false,
      logRetentionDays: 7,
    });
    expect(read({ deletionProtection: false, logRetentionDays: 365 })).toMatchObject({ deletionProtection: false, logRetentionDays: 365 });
  });

  it.each([
    [{ stage: 'Prod' }, 'stage'],
    [{ stage: 'my_stage' }, 'stage'],
    [{ deletionProtection: 'no' }, 'deletionProtection'],
    [{ logRetentionDays: '0' }, 'logRetentionDays'],
    [{ logRetentionDays: 'ninety' }, 'logRetentionDays'],
    [{ logRetentionDays: 1.5 }, 'logRetentionDays'],
    [{ logRetentionDays: '45' }, 'logRetentionDays'],
    [{ parallelism: '0' }, 'parallelism'],
    [{ workerTimeoutSeconds: '901' }, 'workerTimeoutSeconds'],
    [{ workerMemoryMb: '64' }, 'workerMemoryMb'],
    [{ executors: 'local' }, 'executors.0'],
    [{ executors: '' }, 'executors'],
    [{ executors: 'lambda,lambda' }, 'executors'],
    [{ executors: 'fargate' }, 'fargateSubnetIds'],
    [{ executors: 'fargate', fargateSubnetIds: 'subnet-0a1b', fargate: 'false' }, 'executors'],
    [{ fargateSubnetIds: 'vpc-123' }, 'fargateSubnetIds.0'],
    [{ fargateSecurityGroupIds: 'subnet-1' }, 'fargateSecurityGroupIds.0'],
    [{ fargateCpu: '300' }, 'fargateCpu'],
    [{ fargateCpu: '256', fargateMemoryMb: '4096' }, 'fargateMemoryMb'],
    [{ alarmEmail: 'not an address' }, 'alarmEmail'],
    [{ assetBuckets: 's3://landing-zone' }, 'assetBuckets.0'],
    [{ assetBuckets: 'arn:aws:s3:::landing-zone' }, 'assetBuckets.0'],
    [{ assetBuckets: 'landing-zone,landing-zone' }, 'assetBuckets'],
  ])('rejects %j, naming the key and how to fix it', (context, key) => {
    let thrown: unknown;
    try {
      read(context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InfraConfigError);
    expect((thrown as InfraConfigError).code).toBe('infra_config');
    expect((thrown as InfraConfigError).message).toContain(`${key}:`);
    expect((thrown as InfraConfigError).message).toContain('Fix the value in cdk.json or in the -c option');
  });
});
