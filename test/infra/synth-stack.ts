import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { createUpdraftApp } from '../../infra/create-app.ts';

export const CDK_JSON_PATH = new URL('../../cdk.json', import.meta.url);

/** cdk.json as the CDK CLI reads it. */
export function readCdkJson(): { app: string; context: Record<string, unknown>; [setting: string]: unknown } {
  return JSON.parse(readFileSync(CDK_JSON_PATH, 'utf8'));
}

/**
 * Synthesizes the stack the way `cdk synth` does: cdk.json's context (feature flags included) with the
 * given `-c` overrides on top. Context values from `-c` are strings, so tests pass strings too.
 */
export function synthUpdraftStack(overrides: Record<string, string> = {}): { template: Template; stackName: string } {
  const { stack } = createUpdraftApp({ context: { ...readCdkJson().context, ...overrides } });
  return { template: Template.fromStack(stack), stackName: stack.stackName };
}
