import { describe, expect, it } from 'vitest';
import type { AttemptInfo } from '../../../../src/services/task-runner/attempt-info.ts';
import { mappedArgument, MappedInputsMissingError, mappedTemplateFields } from '../../../../src/services/task-runner/mapped-arguments.ts';
import { checkMappedReturnValue, mappedOverKeys } from '../../../../src/services/task-runner/mapped-return-check.ts';
import type { TaskDefinition } from '../../../../src/sdk/index.ts';

function info(mapIndex: number, mappedInputs?: AttemptInfo['mappedInputs']): AttemptInfo {
  const at = new Date('2026-11-23T00:00:00Z');
  return {
    ti: { dagId: 'd', runId: 'r', taskId: 'echo', mapIndex, tryNumber: 1 },
    maxTries: 1,
    logicalDate: at,
    dataIntervalStart: at,
    dataIntervalEnd: at,
    runAfter: at,
    runType: 'manual',
    conf: {},
    params: {},
    ...(mappedInputs ? { mappedInputs } : {}),
  };
}

const echo: Pick<TaskDefinition, 'templateFields' | 'expandInputs'> = {
  templateFields: { bashCommand: 'echo fixed', cwd: '/tmp' },
  expandInputs: [
    { target: { kind: 'field', name: 'bashCommand' }, source: { kind: 'literal', values: ['echo {{ ds }}'] } },
    { target: { kind: 'field', name: 'env' }, source: { kind: 'xcom', taskId: 'list', key: 'return_value' } },
  ],
};

describe('mappedTemplateFields', () => {
  it('renders elements of lists from the DAG file, but not elements that came from an XCom', () => {
    const fields = mappedTemplateFields(echo, info(0, { args: {}, fields: { bashCommand: 'echo {{ ds }}', env: { A: '{{ ds }}' } } }));
    expect(fields).toEqual({ toRender: { bashCommand: 'echo {{ ds }}', cwd: '/tmp' }, rendered: { env: { A: '{{ ds }}' } } });
  });

  it('says the Execution API is older than the worker when a mapped instance has no mapped inputs', () => {
    expect(() => mappedTemplateFields(echo, info(0))).toThrow(MappedInputsMissingError);
    expect(() => mappedTemplateFields(echo, info(0))).toThrow('Upgrade the Execution API');
  });
});

describe('mappedArgument', () => {
  it('takes the argument by position and refuses a position the API did not fill', () => {
    const mapped = info(3, { args: { '1': null }, fields: {} });
    expect(mappedArgument(mapped, 1)).toBeNull();
    expect(() => mappedArgument(mapped, 0)).toThrow('sent no value for mapped argument 0 of task "echo" map index 3');
  });
});

describe('the mapped-over check', () => {
  const producer = { taskId: 'extract', doXcomPush: false } as TaskDefinition;
  const dag = {
    tasks: new Map([['process', { taskId: 'process', expandInputs: [{ target: { kind: 'arg', index: 0 }, source: { kind: 'xcom', taskId: 'extract', key: 'return_value' } }] }]]),
    taskGroups: new Map(),
  } as never;

  it('names the task that maps over the return value, and asks for doXcomPush when it is off', () => {
    expect([...mappedOverKeys(dag, producer)]).toEqual([['return_value', 'task "process"']]);
    expect(() => checkMappedReturnValue(producer, mappedOverKeys(dag, producer), ['a'])).not.toThrow();
    expect(() => checkMappedReturnValue(producer, mappedOverKeys(dag, producer), 'a')).toThrow(
      'Task "extract" does not push its return value (doXcomPush is false), but task "process" maps over its return value',
    );
  });

  it('does not apply to a mapped producer, whose instances each give one element', () => {
    expect(mappedOverKeys(dag, { ...producer, mappedGroupId: 'g' } as TaskDefinition).size).toBe(0);
  });
});
