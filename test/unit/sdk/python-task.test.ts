import { describe, expect, it } from 'vitest';
import { DagDefinitionError, PYTHON_TASK_FIELDS, dag, pythonTask, task } from 'updraft/sdk';
import { parseSerializedDag, serializeDag } from '../../../src/core/serialization/index.ts';
import { definitionError } from '../../support/definition-error.ts';

const extract = task({ taskId: 'extract' }, () => ({ rows: [1, 2] }));

describe('pythonTask()', () => {
  it('records script and callable, turns upstream refs into XCom args and dependencies', () => {
    const built = dag({ dagId: 'mixed', defaultArgs: { retries: 2 } }, () => {
      const rows = extract();
      pythonTask({ taskId: 'transform', script: 'python/transform.py', args: [rows, rows.output('count'), { limit: 5 }, 'x'] });
      pythonTask({ taskId: 'other', script: 'jobs/other.py', callable: 'run', doXcomPush: false, executionTimeout: 60 });
    });
    expect(built.tasks.get('transform')).toMatchObject({
      operator: 'python',
      templateFields: { script: 'python/transform.py', callable: 'main' },
      args: [
        { kind: 'xcom', taskId: 'extract', key: 'return_value' },
        { kind: 'xcom', taskId: 'extract', key: 'count' },
        { kind: 'literal', value: { limit: 5 } },
        { kind: 'literal', value: 'x' },
      ],
      doXcomPush: true,
      retries: 2,
    });
    expect([...built.tasks.get('transform')!.upstreamTaskIds]).toEqual(['extract']);
    expect(built.tasks.get('other')).toMatchObject({
      templateFields: { script: 'jobs/other.py', callable: 'run' },
      args: [],
      doXcomPush: false,
      executionTimeoutSeconds: 60,
    });
    expect(PYTHON_TASK_FIELDS).toEqual(['script', 'callable']);
  });

  it('feeds a TaskFlow task downstream and survives serialization', () => {
    const report = task(function report(ctx, value: unknown) {
      return value;
    });
    const built = dag({ dagId: 'py_to_ts' }, () => {
      report(pythonTask<number>({ taskId: 'compute', script: 'python/compute.py' }));
    });
    expect(built.tasks.get('report')?.args).toEqual([{ kind: 'xcom', taskId: 'compute', key: 'return_value' }]);
    const serialized = serializeDag(built, 'py.ts');
    const compute = parseSerializedDag(JSON.parse(JSON.stringify(serialized))).tasks.find((t) => t.taskId === 'compute');
    expect(compute).toMatchObject({ operator: 'python', templateFields: { script: 'python/compute.py', callable: 'main' }, args: [] });
  });

  it.each([
    [{ taskId: 'p' }, 'DAG "py", task "p": script must be a path under the DAGs folder ending in .py, got undefined.'],
    [{ taskId: 'p', script: 'python/x.sh' }, 'script must be a Python file ending in .py, got "python/x.sh"'],
    [{ taskId: 'p', script: '../secrets.py' }, 'script must be a relative path inside the DAGs folder'],
    [{ taskId: 'p', script: '/etc/x.py' }, 'script must be a relative path inside the DAGs folder'],
    [{ taskId: 'p', script: 'a.py', callable: 'not-a-name' }, 'callable must be the name of a Python function (e.g. "main"), got "not-a-name".'],
    [{ taskId: 'p', script: 'a.py', args: 'x' }, 'args must be an array of arguments, got "x".'],
    [{ taskId: 'p', script: 'a.py', args: [undefined] }, 'args[0] is undefined, which JSON drops; use null. Literal arguments are stored as JSON.'],
    [{ taskId: 'p', script: 'a.py', command: 'y' }, 'DAG "py", task "p": unknown option "command".'],
    [{ script: 'a.py' }, 'DAG "py": pythonTask() needs a taskId that must be a string, got undefined.'],
  ])('rejects bad options %#', (options, message) => {
    expect(definitionError(() => dag({ dagId: 'py' }, () => void pythonTask(options as never))).message).toContain(message);
  });

  it('refuses an upstream of another DAG and a call outside a DAG', () => {
    let foreign: unknown;
    dag({ dagId: 'first' }, () => {
      foreign = extract();
    });
    expect(
      definitionError(() => dag({ dagId: 'second' }, () => void pythonTask({ taskId: 'p', script: 'a.py', args: [foreign] }))).message,
    ).toBe('DAG "second", task "p": args[0] is the output of task "extract" from another DAG; a task can only use outputs of its own DAG.');
    expect(definitionError(() => pythonTask({ taskId: 'p', script: 'a.py' })).message).toContain('was called outside a DAG');
  });
});
