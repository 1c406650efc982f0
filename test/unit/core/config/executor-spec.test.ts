import { describe, expect, it } from 'vitest';
import { formatExecutorSpec, parseExecutorList } from '../../../../src/core/config/executor-spec.ts';
import { ConfigError } from '../../../../src/core/errors.ts';

describe('parseExecutorList', () => {
  it('reads built-ins and custom executors in order, so the first is the default', () => {
    expect(parseExecutorList('lambda, fargate, Gpu:./executors/gpu.ts#GpuExecutor')).toEqual([
      { alias: 'lambda', builtin: 'lambda' },
      { alias: 'fargate', builtin: 'fargate' },
      { alias: 'Gpu', module: './executors/gpu.ts', exportName: 'GpuExecutor' },
    ]);
  });

  it('accepts an array of entries as the list configuration type gives them', () => {
    expect(parseExecutorList([' local ', 'Batch:@acme/executors#BatchExecutor'])).toEqual([
      { alias: 'local', builtin: 'local' },
      { alias: 'Batch', module: '@acme/executors', exportName: 'BatchExecutor' },
    ]);
  });

  it('names a custom executor without an alias after its export, as Airflow refers to it by class name', () => {
    expect(parseExecutorList('./executors/gpu.ts#GpuExecutor')).toEqual([{ alias: 'GpuExecutor', module: './executors/gpu.ts', exportName: 'GpuExecutor' }]);
  });

  it('writes each spec back as it is configured', () => {
    const value = 'fargate,Gpu:./executors/gpu.ts#GpuExecutor';
    expect(parseExecutorList(value).map(formatExecutorSpec).join(',')).toBe(value);
  });

  it.each([
    ['', '[core] executor: is empty: name at least one executor, e.g. "lambda" (built-in: local, lambda, fargate).'],
    [' , ', '[core] executor: is empty'],
    ['lamda', 'unknown executor "lamda" (did you mean "lambda"?). Built-in executors are local, lambda, fargate; a custom executor is written Alias:module#Export'],
    ['CeleryExecutor', 'unknown executor "CeleryExecutor". Built-in executors are local, lambda, fargate'],
    ['lambda,lambda', '"lambda" uses the name "lambda" that "lambda" already has: give each executor its own alias.'],
    ['Gpu:./a.ts#A,gpu:./b.ts#B', '"gpu:./b.ts#B" uses the name "gpu" that "Gpu:./a.ts#A" already has'],
    ['A:./gpu.ts#Gpu,B:./gpu.ts#Gpu', './gpu.ts#Gpu is configured twice: configure each executor once.'],
    ['Spot:fargate', '"Spot:fargate": a built-in executor cannot be given an alias; write "fargate" alone.'],
    ['Gpu:./executors/gpu.ts', '"Gpu:./executors/gpu.ts" names no export: write Alias:module#Export'],
    ['Gpu:#GpuExecutor', '"Gpu:#GpuExecutor" names no module'],
    ['Gpu:./gpu.ts#not-a-name', '"not-a-name" is not an export name'],
    ['lambda:./my-lambda.ts#MyLambda', 'the alias "lambda" is the name of a built-in executor; choose another alias.'],
    ['9x:./gpu.ts#Gpu', 'the alias "9x" must start with a letter'],
  ])('refuses %j with a message that says how to fix it', (value, message) => {
    expect(() => parseExecutorList(value)).toThrow(ConfigError);
    expect(() => parseExecutorList(value)).toThrow(message);
  });
});
