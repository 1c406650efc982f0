import { describe, expect, it } from 'vitest';
import { bash, dag, pythonTask, task, taskGroup, type TaskRef } from 'updraft/sdk';
import { definitionError } from '../../support/definition-error.ts';

const commands = task(function commands(): string[] {
  return ['echo a', 'echo b'];
});

describe('bash.partial().expand()', () => {
  it('maps template fields: they leave templateFields and become expandInputs; an XCom source becomes upstream', () => {
    const built = dag({ dagId: 'shell' }, () => {
      const listed = commands();
      const outputs: TaskRef<string[]> = bash.partial({ taskId: 'run', env: { TZ: 'UTC' }, retries: 2 }).expand({ bashCommand: listed });
      bash.partial({ taskId: 'per_dir', bashCommand: 'ls' }).expand({ cwd: ['/tmp', '/srv'], env: [{ A: '1' }] });
      void outputs;
    });
    expect(built.tasks.get('run')).toMatchObject({
      operator: 'bash',
      templateFields: { env: { TZ: 'UTC' } },
      expandInputs: [{ target: { kind: 'field', name: 'bashCommand' }, source: { kind: 'xcom', taskId: 'commands', key: 'return_value' } }],
      retries: 2,
      args: [],
    });
    expect(built.tasks.get('run')?.templateFields).not.toHaveProperty('bashCommand');
    expect([...built.tasks.get('run')!.upstreamTaskIds]).toEqual(['commands']);
    expect(built.tasks.get('per_dir')).toMatchObject({
      templateFields: { bashCommand: 'ls' },
      expandInputs: [
        { target: { kind: 'field', name: 'cwd' }, source: { kind: 'literal', values: ['/tmp', '/srv'] } },
        { target: { kind: 'field', name: 'env' }, source: { kind: 'literal', values: [{ A: '1' }] } },
      ],
    });
  });

  it.each([
    [{ taskId: 'b' }, { bashCommand: 'echo' }, 'DAG "shell", task "b": bashCommand: expand() maps over a list: pass an array, or the output of a task that returns one (got "echo").'],
    [{ taskId: 'b', bashCommand: 'x' }, { bashCommand: ['y'] }, 'DAG "shell", task "b": bashCommand is given both to partial() and to expand(); fix it in partial() or map it in expand(), not both.'],
    [{ taskId: 'b' }, {}, 'DAG "shell", task "b": expand() needs at least one list to map over: pass an array, or the output of a task that returns one.'],
    [{ taskId: 'b' }, { command: ['x'] }, 'DAG "shell", task "b": expand() maps template fields (bashCommand, env, cwd); "command" is not one.'],
    [{ taskId: 'b' }, { bashCommand: ['ok', ''] }, 'DAG "shell", task "b": bashCommand[1] must be a non-empty string, got "".'],
    [{ taskId: 'b', bashCommand: 'x' }, { env: [{ N: 1 }] }, 'DAG "shell", task "b": env[0] must map variable names to strings, got {"N":1}.'],
    [{ taskId: 'b' }, { cwd: ['/tmp'] }, 'DAG "shell", task "b": bashCommand must be a non-empty string, got undefined.'],
    [{ taskId: 'b' }, ['echo a'], 'DAG "shell", task "b": expand() takes an object mapping template fields (bashCommand, env, cwd) to lists, got ["echo a"].'],
  ])('refuses %j expanded with %j', (options, fields, message) => {
    expect(definitionError(() => dag({ dagId: 'shell' }, () => void bash.partial(options as never).expand(fields as never))).message).toBe(message);
  });

  it('refuses expand() inside a mapped task group', () => {
    const error = definitionError(() =>
      dag({ dagId: 'nested' }, () => {
        taskGroup.expand({ groupId: 'g' }, [1], () => void bash.partial({ taskId: 'b' }).expand({ bashCommand: ['x'] }));
      }),
    );
    expect(error.message).toMatch(/^DAG "nested", task "b": expand\(\) inside mapped task group "g": nested mapping is not supported\./);
  });

  it('keeps plain bash() unmapped and its messages unchanged', () => {
    const built = dag({ dagId: 'plain' }, () => void bash({ taskId: 'b', bashCommand: 'true' }));
    expect(built.tasks.get('b')).not.toHaveProperty('expandInputs');
    expect(definitionError(() => dag({ dagId: 'plain' }, () => void bash({ taskId: 'b', bashCommand: 'x', cwd: '' }))).message).toBe(
      'DAG "plain", task "b": cwd must be a non-empty path, got "".',
    );
  });
});

describe('pythonTask.partial().expand()', () => {
  it('maps the arguments after options.args, by position', () => {
    const built = dag({ dagId: 'py' }, () => {
      const listed = commands();
      pythonTask.partial({ taskId: 'score', script: 'python/score.py', args: ['v2'] }).expand(['eu', 'us'], listed);
    });
    expect(built.tasks.get('score')).toMatchObject({
      operator: 'python',
      args: [{ kind: 'literal', value: 'v2' }, { kind: 'mapped' }, { kind: 'mapped' }],
      expandInputs: [
        { target: { kind: 'arg', index: 1 }, source: { kind: 'literal', values: ['eu', 'us'] } },
        { target: { kind: 'arg', index: 2 }, source: { kind: 'xcom', taskId: 'commands', key: 'return_value' } },
      ],
    });
    expect([...built.tasks.get('score')!.upstreamTaskIds]).toEqual(['commands']);
  });

  it('refuses a non-list and an empty expand()', () => {
    expect(
      definitionError(() => dag({ dagId: 'py' }, () => void pythonTask.partial({ taskId: 's', script: 'python/s.py', args: [1] }).expand(3 as never))).message,
    ).toBe('DAG "py", task "s": expand() argument 1 (args[1]): expand() maps over a list: pass an array, or the output of a task that returns one (got 3).');
    expect(definitionError(() => dag({ dagId: 'py' }, () => void pythonTask.partial({ taskId: 's', script: 'python/s.py' }).expand())).message).toBe(
      'DAG "py", task "s": expand() needs at least one list to map over: pass an array, or the output of a task that returns one.',
    );
  });
});
