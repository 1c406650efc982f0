import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';

/**
 * Every DAG bundle carries its own copy of the SDK, so the DAG processor and the task runner see DAGs,
 * task references and signals made by a different copy than the one they import. This builds such a
 * copy, as the DAG processor's esbuild step would.
 */
let copy: typeof sdk;
let outdir: string;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'updraft-sdk-copy-'));
  const outfile = join(outdir, 'sdk-copy.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../../../src/sdk/index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  copy = (await import(pathToFileURL(outfile).href)) as typeof sdk;
});

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('another copy of the SDK', () => {
  it('is really a separate copy', () => {
    expect(copy.dag).not.toBe(sdk.dag);
    expect(new copy.SkipTask()).not.toBeInstanceOf(sdk.SkipTask);
  });

  it('makes DAGs this copy recognises and can serialize', () => {
    const greet = copy.task(function greet(ctx: sdk.TaskContext, name: string) {
      return `hello ${name}`;
    });
    const foreign = copy.dag({ dagId: 'from_copy', schedule: '@daily', startDate: '2025-01-01' }, () => {
      copy.chain(copy.empty({ taskId: 'start' }), greet('world'));
    });
    expect(sdk.isDag(foreign)).toBe(true);
    const serialized = serializeDag(foreign, 'copy.ts');
    expect(serialized.tasks.map((task) => [task.taskId, task.upstreamTaskIds])).toEqual([
      ['start', []],
      ['greet', ['start']],
    ]);
  });

  it('throws signals this copy recognises', () => {
    expect(sdk.taskSignalOf(new copy.SkipTask())).toBe('skip');
    expect(sdk.taskSignalOf(new copy.FailNoRetry())).toBe('fail_no_retry');
  });

  it('makes task references and params this copy recognises', () => {
    copy.dag({ dagId: 'refs' }, () => {
      const ref = copy.empty({ taskId: 'a' });
      expect(sdk.isTaskRef(ref)).toBe(true);
      expect(sdk.isXComArg(ref.output('k'))).toBe(true);
    });
    expect(sdk.isParam(copy.param(1))).toBe(true);
  });
});
