import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { createUpdraftApp } from '../../infra/create-app.ts';
import type { UpdraftStack } from '../../infra/updraft-stack.ts';
import { FARGATE_CONTEXT, readCdkJson, SKIP_BUNDLING } from './synth-stack.ts';

function app(overrides: Record<string, string> = {}, alter?: (stack: UpdraftStack) => void) {
  const built = createUpdraftApp({ context: { ...readCdkJson().context, ...SKIP_BUNDLING, ...overrides } });
  alter?.(built.stack);
  return built;
}

/** Every acknowledgement in the app: rule id → reason. */
function acknowledgements(stack: UpdraftStack): { path: string; id: string; reason: string }[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
  );
}

describe('cdk-nag AwsSolutions and CloudFormation validation', () => {
  it.each([
    ['default context', {}],
    ['both executors', FARGATE_CONTEXT],
    ['alarm e-mail, no ECS, asset buckets', { fargate: 'false', alarmEmail: 'oncall@example.com', assetBuckets: 'my-data-lake,raw-landing' }],
  ])('pass on the stack with %s', (_label, context) => {
    expect(() => app(context).app.synth()).not.toThrow();
  });

  it('really run: a bucket without TLS enforcement or logs fails synthesis', () => {
    const { app: failing } = app({}, (stack) => new Bucket(stack, 'Careless'));
    expect(() => failing.synth()).toThrow(/AwsSolutions-S10/);
  });

  it('are acknowledged only with a reason that explains the exception', () => {
    const { stack } = app(FARGATE_CONTEXT);
    const all = acknowledgements(stack);
    expect(all.length).toBeGreaterThan(5);
    for (const { path, id, reason } of all) {
      expect(id, path).toMatch(/^(AwsSolutions|Annotation)::AwsSolutions-/);
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(40);
    }
    // Wildcards are acknowledged finding by finding, never a whole rule at once.
    expect(all.filter(({ id }) => id === 'AwsSolutions::AwsSolutions-IAM5')).toEqual([]);
  });
});
