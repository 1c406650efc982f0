import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_CATALOG } from '../../functions/catalog.ts';
import { PROJECT_ROOT } from '../../infra/function-bundles.ts';
import { CONFIG_DEFINITIONS } from '../../src/core/config/definitions.ts';
import { UpdraftConfig } from '../../src/core/config/updraft-config.ts';
import { FUNCTION_NAMES } from '../../src/core/deployment/function-names.ts';
import { FARGATE_CONTEXT, functionNamed, resourcesOf, synthUpdraftStack } from './synth-stack.ts';

type Environment = Record<string, unknown>;

const environmentOf = (template: Template, name: string): Environment => functionNamed(template, name)[1].Properties.Environment?.Variables ?? {};

/** The `UPDRAFT_*` variables a schema knows, and those it cannot do without. */
function schemaKeys(name: keyof typeof FUNCTION_CATALOG): { known: string[]; required: string[] } {
  const shape = FUNCTION_CATALOG[name].environmentSchema.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
  const known = Object.keys(shape);
  return { known, required: known.filter((key) => !shape[key]!.safeParse(undefined).success) };
}

/** Each function's environment against its own config schema: nothing unknown, nothing required missing. */
function environmentProblems(template: Template): string[] {
  return FUNCTION_NAMES.flatMap((name) => {
    const environment = environmentOf(template, name);
    const plain = Object.keys(environment).filter((key) => key.startsWith('UPDRAFT_') && !key.startsWith('UPDRAFT__'));
    const layered = Object.keys(environment).filter((key) => key.startsWith('UPDRAFT__'));
    const { known, required } = schemaKeys(name);
    return [
      ...plain.filter((key) => !known.includes(key)).map((key) => `${name}: ${key} is not in its schema`),
      ...required.filter((key) => !plain.includes(key)).map((key) => `${name}: ${key} is required but not set`),
      ...(FUNCTION_CATALOG[name].readsUpdraftConfig ? [] : layered.map((key) => `${name}: ${key} set but the function reads no layered config`)),
      ...Object.keys(environment).filter((key) => !key.startsWith('UPDRAFT_')).map((key) => `${name}: ${key} is not an Updraft variable`),
    ];
  });
}

const KNOWN_CONFIG_VARIABLES = new Set(CONFIG_DEFINITIONS.map((d) => `UPDRAFT__${d.section.toUpperCase()}__${d.key.toUpperCase()}`));

describe.each<[string, Record<string, string>]>([
  ['default context', {}],
  ['lambda and fargate executors', FARGATE_CONTEXT],
  ['fargate only, no lambda', { ...FARGATE_CONTEXT, executors: 'fargate' }],
])('functions (%s)', (_label, context) => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthUpdraftStack(context));
  });

  it('are the five of the catalog, each from an entry file that exists', () => {
    expect(resourcesOf(template, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties.FunctionName).sort()).toEqual(
      FUNCTION_NAMES.map((name) => `updraft-dev-${name}`).sort(),
    );
    for (const name of FUNCTION_NAMES) expect(existsSync(join(PROJECT_ROOT, FUNCTION_CATALOG[name].entry)), name).toBe(true);
  });

  it('run Node 24 on ARM64 with JSON logs into a log group of their own with the configured retention', () => {
    const logGroups = new Map(resourcesOf(template, 'AWS::Logs::LogGroup'));
    for (const name of FUNCTION_NAMES) {
      const { Properties } = functionNamed(template, name)[1];
      expect(Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', LoggingConfig: { LogFormat: 'JSON' } });
      const logGroup = logGroups.get(Properties.LoggingConfig.LogGroup.Ref)!;
      expect(logGroup.Properties).toMatchObject({ LogGroupName: `/aws/lambda/updraft-dev-${name}`, RetentionInDays: 90 });
    }
  });

  it('get exactly the environment their config schema requires, and only known layered config keys', () => {
    expect(environmentProblems(template)).toEqual([]);
    for (const name of FUNCTION_NAMES) {
      const layered = Object.keys(environmentOf(template, name)).filter((key) => key.startsWith('UPDRAFT__'));
      expect(layered.filter((key) => !KNOWN_CONFIG_VARIABLES.has(key)), name).toEqual([]);
    }
  });

  it('give the functions that read the layered configuration one that resolves, executors included', () => {
    const environment = environmentOf(template, 'scheduler');
    const literal = Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, typeof value === 'string' ? value : 'token']));
    const config = UpdraftConfig.resolve({ env: literal });
    expect(config.executors().map((spec) => spec.alias)).toEqual(String(context.executors ?? 'lambda').split(','));
    expect(config.getInteger('core', 'parallelism')).toBe(32);
    expect(config.getString('metrics', 'namespace')).toBe('Updraft/dev');
    for (const name of ['dag-processor', 'execution-api', 'rest-api']) {
      const other = environmentOf(template, name);
      expect(Object.fromEntries(Object.entries(other).filter(([key]) => key.startsWith('UPDRAFT__'))), name).toEqual(
        Object.fromEntries(Object.entries(environment).filter(([key]) => key.startsWith('UPDRAFT__'))),
      );
    }
  });
});

describe('the environment check', () => {
  it('reports a variable a function does not know and a required one left out (it can fail)', () => {
    const { template } = synthUpdraftStack({}, (stack) => {
      const worker = stack.functions.functions.worker;
      worker.addEnvironment('UPDRAFT_TABLE_NAME', 'sneaky');
      // CDK offers no removal; an empty override stands for a renamed variable that is no longer set.
      (worker.node.defaultChild as import('aws-cdk-lib/aws-lambda').CfnFunction).addPropertyDeletionOverride('Environment.Variables.UPDRAFT_BUCKET');
    });
    expect(environmentProblems(template)).toEqual(['worker: UPDRAFT_TABLE_NAME is not in its schema', 'worker: UPDRAFT_BUCKET is required but not set']);
  });
});

describe('sizing', () => {
  it('caps the worker at parallelism with reserved concurrency, with the configured memory and timeout', () => {
    const { template } = synthUpdraftStack({ parallelism: '12', workerMemoryMb: '2048', workerTimeoutSeconds: '300' });
    expect(functionNamed(template, 'worker')[1].Properties).toMatchObject({ ReservedConcurrentExecutions: 12, MemorySize: 2048, Timeout: 300 });
    for (const name of ['scheduler', 'dag-processor', 'execution-api', 'rest-api']) {
      expect(functionNamed(template, name)[1].Properties.ReservedConcurrentExecutions, name).toBeUndefined();
    }
    expect(functionNamed(template, 'execution-api')[1].Properties.Timeout).toBeLessThan(30);
  });
});
