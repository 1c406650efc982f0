import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExecutorList } from '../../../../src/core/config/executor-spec.ts';
import { ConfigError } from '../../../../src/core/errors.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import { loadExecutors, type LoadExecutorsOptions } from '../../../../src/services/executors/executor-loader.ts';
import { RecordingExecutor } from '../../../support/recording-executor.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) };

function options(value: string, overrides: Partial<LoadExecutorsOptions> = {}): LoadExecutorsOptions {
  return {
    specs: parseExecutorList(value),
    builtins: { lambda: (name) => new RecordingExecutor(name) },
    unavailableBuiltin: (name) => `the "${name}" executor is not available in this test.`,
    customOptions: { parallelism: 4 },
    baseDir: repoRoot,
    environment: 'local',
    logger,
    ...overrides,
  };
}

const GPU = './test/fixtures/executors/gpu-executor.ts';

describe('loadExecutors', () => {
  it('builds built-ins and custom executors in order; the first is the default', async () => {
    const registry = await loadExecutors(options(`lambda, Gpu:${GPU}#GpuExecutor`));
    expect(registry.names).toEqual(['lambda', 'Gpu']);
    expect(registry.defaultName).toBe('lambda');
    const gpu = registry.resolve('Gpu');
    expect(gpu.constructor.name).toBe('GpuExecutor');
    expect(gpu.slots.parallelism).toBe(4);
  });

  it('warns when an executor that is not fit for production is configured in AWS', async () => {
    warnings.length = 0;
    await loadExecutors(options(`Gpu:${GPU}#GpuExecutor`, { environment: 'aws' }));
    expect(warnings).toEqual([
      'Executor "Gpu" says it is not fit for production, yet it is configured in AWS; prefer lambda or fargate there, ' +
        'or mark the executor isProduction when it is.',
    ]);
  });

  it('explains every way a custom executor can be wrong', async () => {
    const failure = async (value: string) => {
      const error = await loadExecutors(options(value)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    };
    expect(await failure('Gpu:./nowhere/gpu.ts#GpuExecutor')).toMatch(/could not import "\.\/nowhere\/gpu\.ts" for executor "Gpu"/);
    expect(await failure(`Gpu:${GPU}#Missing`)).toMatch(/has no class "Missing" for executor "Gpu" \(its exports: .*GpuExecutor/);
    expect(await failure(`Gpu:${GPU}#notAClass`)).toMatch(/has no class "notAClass"/);
    expect(await failure(`Gpu:${GPU}#NotAnExecutor`)).toMatch(/NotAnExecutor .* is not an executor \(missing: queueWorkload, .*capabilities\)\. Extend BaseExecutor from 'updraft\/executors'\./);
    expect(await failure(`Gpu:${GPU}#Renamed`)).toMatch(/named itself "something-else", but core.executor calls it "Gpu"/);
    expect(await failure('fargate')).toBe('[core] executor: the "fargate" executor is not available in this test.');
  });
});
