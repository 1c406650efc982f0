import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { createUpdraftApp } from '../../infra/create-app.ts';
import type { UpdraftStack } from '../../infra/updraft-stack.ts';

export const CDK_JSON_PATH = new URL('../../cdk.json', import.meta.url);

/** cdk.json as the CDK CLI reads it. */
export function readCdkJson(): { app: string; context: Record<string, unknown>; [setting: string]: unknown } {
  return JSON.parse(readFileSync(CDK_JSON_PATH, 'utf8'));
}

/** Context that makes CDK skip asset bundling (what `cdk synth --exclusively` of another stack does): fast, same template. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/**
 * Synthesizes the stack the way `cdk synth` does: cdk.json's context (feature flags included) with the
 * given `-c` overrides on top. Context values from `-c` are strings, so tests pass strings too. Function
 * code is not bundled (test/infra/function-bundles.test.ts covers the bundles).
 */
export function synthUpdraftStack(
  overrides: Record<string, string> = {},
  /** Changes the stack before it is synthesized (tests that prove a check can fail). */
  alter?: (stack: UpdraftStack) => void,
): { template: Template; stackName: string; stack: UpdraftStack } {
  const { stack } = createUpdraftApp({ context: { ...readCdkJson().context, ...SKIP_BUNDLING, ...overrides } });
  alter?.(stack);
  return { template: Template.fromStack(stack), stackName: stack.stackName, stack };
}

/** The context of a deployment that runs tasks on both executors, in two subnets of an existing VPC. */
export const FARGATE_CONTEXT = {
  executors: 'lambda,fargate',
  fargateSubnetIds: 'subnet-0a1b2c3d,subnet-4e5f6a7b',
  fargateSecurityGroupIds: 'sg-0123abcd',
} as const;

export type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The Lambda function whose name ends with `-<name>` (functions are named `updraft-<stage>-<name>`). */
export function functionNamed(template: Template, name: string): [string, Resource] {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) => String(fn.Properties.FunctionName).endsWith(`-${name}`));
  if (found.length !== 1) throw new Error(`expected one function named *-${name}, found ${found.length}`);
  return found[0]!;
}
