import { describe, expect, it } from 'vitest';
import { BASH_TEMPLATE_FIELDS, DagDefinitionError, bash, dag, empty, task } from 'updraft/sdk';
import { definitionError } from '../../support/definition-error.ts';

describe('bash()', () => {
  it('records its command, env and cwd as template fields and pushes stdout', () => {
    const built = dag({ dagId: 'shell' }, () => {
      bash({ taskId: 'print', bashCommand: 'echo {{ ds }}', env: { TABLE: '{{ params.table }}' }, cwd: '/tmp' });
      bash({ taskId: 'plain', bashCommand: 'true', doXcomPush: false });
    });
    expect(built.tasks.get('print')).toMatchObject({
      operator: 'bash',
      templateFields: { bashCommand: 'echo {{ ds }}', env: { TABLE: '{{ params.table }}' }, cwd: '/tmp' },
      args: [],
      doXcomPush: true,
    });
    expect(built.tasks.get('plain')?.templateFields).toEqual({ bashCommand: 'true' });
    expect(built.tasks.get('plain')?.doXcomPush).toBe(false);
    expect(BASH_TEMPLATE_FIELDS).toEqual(['bashCommand', 'env', 'cwd']);
  });

  it('can feed a TaskFlow task', () => {
    const count = task(function count(ctx, line: string) {
      return line.length;
    });
    const built = dag({ dagId: 'shell_to_flow' }, () => {
      count(bash({ taskId: 'ls', bashCommand: 'ls | wc -l' }));
    });
    expect(built.tasks.get('count')?.args).toEqual([{ kind: 'xcom', taskId: 'ls', key: 'return_value' }]);
  });

  it.each([
    [{ taskId: 'b', bashCommand: '' }, 'DAG "shell", task "b": bashCommand must be a non-empty string, got "".'],
    [{ taskId: 'b' }, 'DAG "shell", task "b": bashCommand must be a non-empty string, got undefined.'],
    [{ taskId: 'b', bashCommand: 'x', env: { N: 1 } }, 'DAG "shell", task "b": env must map variable names to strings, got {"N":1}.'],
    [{ taskId: 'b', bashCommand: 'x', cwd: '' }, 'DAG "shell", task "b": cwd must be a non-empty path'],
    [{ bashCommand: 'x' }, 'DAG "shell": bash() needs a taskId that must be a string, got undefined.'],
    [{ taskId: 'b', bashCommand: 'x', command: 'y' }, 'DAG "shell", task "b": unknown option "command".'],
  ])('rejects bad options %#', (options, message) => {
    expect(definitionError(() => dag({ dagId: 'shell' }, () => void bash(options as never))).message).toContain(message);
  });

  it('is a clear error outside a DAG', () => {
    expect(definitionError(() => bash({ taskId: 'x', bashCommand: 'true' })).message).toBe(
      'bash({ taskId: "x" }) was called outside a DAG: call it inside the build function of dag(options, () => { ... }).',
    );
  });
});

describe('empty()', () => {
  it('adds a task that pushes nothing', () => {
    const built = dag({ dagId: 'nothing' }, () => {
      empty({ taskId: 'join', triggerRule: 'none_failed_min_one_success' });
    });
    expect(built.tasks.get('join')).toMatchObject({
      operator: 'empty',
      triggerRule: 'none_failed_min_one_success',
      templateFields: {},
      args: [],
      doXcomPush: false,
    });
  });

  it('needs a task id', () => {
    expect(definitionError(() => dag({ dagId: 'nothing' }, () => void empty({} as never))).message).toBe(
      'DAG "nothing": empty() needs a taskId that must be a string, got undefined.',
    );
  });

  it('is a clear error outside a DAG', () => {
    expect(definitionError(() => empty({ taskId: 'x' })).message).toContain('empty({ taskId: "x" }) was called outside a DAG');
  });
});
