import { describe, expect, it } from 'vitest';
import { describeThrown } from '../../../../src/services/dag-processing/locate-error.ts';

const dagsDir = '/tmp/ws/dags';

function errorWithStack(name: string, message: string, frames: string[]): Error {
  const error = new Error(message);
  error.name = name;
  error.stack = [`${name}: ${message}`, ...frames.map((frame) => `    at ${frame}`)].join('\n');
  return error;
}

describe('describeThrown', () => {
  it('reports the error name, message and the innermost line in the DAG file', () => {
    const error = errorWithStack('DagDefinitionError', 'DAG "x": duplicate task id', [
      'DagBuilder.add (/work/main/src/sdk/dag-builder.ts:35:15)',
      'empty (/work/main/src/sdk/operators/empty.ts:40:3)',
      '<anonymous> (/tmp/ws/dags/etl/orders.ts:12:3)',
      'dag (/work/main/src/sdk/dag.ts:100:5)',
      '/tmp/ws/dags/etl/orders.ts:10:16',
      'ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
    ]);
    expect(describeThrown(error, dagsDir, 'etl/orders.ts')).toEqual({
      message: 'DagDefinitionError: DAG "x": duplicate task id',
      line: 12,
    });
  });

  it('accepts file URLs in frames', () => {
    const error = errorWithStack('TypeError', 'x is not a function', ['file:///tmp/ws/dags/a.ts:7:1']);
    expect(describeThrown(error, dagsDir, 'a.ts')).toEqual({ message: 'TypeError: x is not a function', line: 7 });
  });

  it('names a sibling file when the DAG file is not on the stack', () => {
    const error = errorWithStack('Error', 'boom', ['boom (/tmp/ws/dags/lib/helpers.ts:4:9)']);
    expect(describeThrown(error, dagsDir, 'a.ts')).toEqual({ message: 'boom (in lib/helpers.ts:4:9)', line: null });
  });

  it('ignores frames outside the dags folder, including look-alike prefixes', () => {
    const error = errorWithStack('Error', 'deep', ['f (/tmp/ws/dags-old/a.ts:1:1)', 'g (/work/main/src/sdk/dag.ts:3:3)']);
    expect(describeThrown(error, dagsDir, 'a.ts')).toEqual({ message: 'deep', line: null });
  });

  it('describes thrown non-errors without a stack', () => {
    expect(describeThrown('plain string', dagsDir, 'a.ts')).toEqual({ message: 'plain string', line: null });
    expect(describeThrown({ code: 7 }, dagsDir, 'a.ts')).toEqual({
      message: 'A non-error value was thrown: {"code":7}',
      line: null,
    });
  });
});
