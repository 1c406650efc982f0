import { describe, expect, it } from 'vitest';
import { InfraConfigError } from '../../infra/errors.ts';
import { readStackConfig, type StackConfig } from '../../infra/stack-config.ts';

const read = (context: Partial<Record<keyof StackConfig, unknown>>) => readStackConfig((key) => context[key]);

describe('readStackConfig', () => {
  it('defaults to stage dev, deletion protection on and 90 days of logs', () => {
    expect(read({})).toEqual({ stage: 'dev', deletionProtection: true, logRetentionDays: 90 });
  });

  it('accepts values as -c passes them (strings) and as cdk.json holds them (JSON types)', () => {
    expect(read({ stage: 'team-a', deletionProtection: 'false', logRetentionDays: '7' })).toEqual({
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
