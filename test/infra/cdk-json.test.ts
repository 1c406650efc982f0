import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCdkJson } from './synth-stack.ts';

// These settings are what let `npm run synth` run offline, without credentials, and without prompts in CI.
describe('cdk.json', () => {
  const cdkJson = readCdkJson();

  it('runs the TypeScript app through tsx', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
  });

  it('sends nothing home: no version reporting, no notices, no telemetry', () => {
    expect(cdkJson.versionReporting).toBe(false);
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context['cli-telemetry']).toBe(false);
    expect(cdkJson.context['@aws-cdk/core:enableAdditionalMetadataCollection']).toBe(false);
  });

  it('performs no context lookups, which would need AWS credentials', () => {
    expect(cdkJson.lookups).toBe(false);
  });

  it('is driven by the synth script, with the CLI version check off', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.scripts.synth).toMatch(/CDK_DISABLE_VERSION_CHECK=1 cdk synth --quiet/);
  });
});
