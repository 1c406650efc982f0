import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDagFile, defaultSdkEntry } from '../../../../src/services/dag-processing/bundler.ts';

let base: string;
let sdkEntry: string;

async function workspace(leaf: string, files: Record<string, string>): Promise<string> {
  const root = join(base, 'ws', leaf);
  for (const [fileloc, content] of Object.entries(files)) {
    const path = join(root, 'dags', fileloc);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return root;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'updraft-bundler-test-'));
  sdkEntry = join(base, 'sdk', 'index.ts');
  await mkdir(dirname(sdkEntry), { recursive: true });
  await writeFile(sdkEntry, 'export const sdkMarker = "the-running-sdk";\n');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('bundleDagFile', () => {
  it('bundles a DAG file with its sibling imports and resolves updraft/sdk to the given SDK', async () => {
    const root = await workspace('a', {
      'etl.ts': "import { sdkMarker } from 'updraft/sdk';\nimport { helper } from './lib/helper.ts';\nexport const x = sdkMarker + helper;\n",
      'lib/helper.ts': "export const helper: string = 'from-helper';\n",
    });
    const result = await bundleDagFile({ root, fileloc: 'etl.ts', sdkEntry });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.bundle.code).toContain('the-running-sdk');
    expect(result.bundle.code).toContain('from-helper');
    expect(result.bundle.code).toContain('sourceMappingURL=data:application/json');
    expect(result.bundle.inputs).toEqual(['etl.ts', 'lib/helper.ts']);
    expect(result.bundle.sha).toMatch(/^[0-9a-f]{64}$/);
  });

  it('produces the same bytes in workspaces at the same depth, so versions survive restarts', async () => {
    const files = { 'd.ts': "import { sdkMarker } from 'updraft/sdk';\nexport const d = sdkMarker;\n" };
    const one = await bundleDagFile({ root: await workspace('first', files), fileloc: 'd.ts', sdkEntry });
    const two = await bundleDagFile({ root: await workspace('second-longer-name', files), fileloc: 'd.ts', sdkEntry });
    expect(one.ok && two.ok && one.bundle.sha === two.bundle.sha).toBe(true);
  });

  it('reports a syntax error with its line in the DAG file', async () => {
    const root = await workspace('b', { 'broken.ts': 'export const a = 1;\n\nconst b = ;\n' });
    expect(await bundleDagFile({ root, fileloc: 'broken.ts', sdkEntry })).toEqual({
      ok: false,
      failure: { message: 'Unexpected ";"', line: 3 },
    });
  });

  it('names the sibling file when the error is in an imported file', async () => {
    const root = await workspace('c', {
      'main.ts': "import { h } from './lib/h.ts';\nexport const m = h;\n",
      'lib/h.ts': 'export const h = (;\n',
    });
    const result = await bundleDagFile({ root, fileloc: 'main.ts', sdkEntry });
    expect(result).toEqual({ ok: false, failure: { message: 'Unexpected ";" (in lib/h.ts:1:19)', line: null } });
  });

  it('explains that npm packages are not available to DAG files', async () => {
    const root = await workspace('d', { 'pkg.ts': "import _ from 'left-pad-not-installed';\nexport default _;\n" });
    const result = await bundleDagFile({ root, fileloc: 'pkg.ts', sdkEntry });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.line).toBe(1);
    expect(result.failure.message).toContain('Could not resolve "left-pad-not-installed"');
    expect(result.failure.message).toContain('npm packages must be bundled into a file under dags/');
  });
});

describe('defaultSdkEntry', () => {
  it('is the SDK sources when running from sources and the bundled copy in a build', () => {
    expect(defaultSdkEntry()).toMatch(/src\/sdk\/index\.ts$/);
    expect(defaultSdkEntry('file:///var/task/dag-processor.mjs')).toBe('/var/task/updraft-sdk.mjs');
  });
});
