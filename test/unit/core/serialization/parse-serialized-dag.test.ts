import { describe, expect, it } from 'vitest';
import { dag, empty, task } from 'updraft/sdk';
import { ValidationError } from '../../../../src/core/errors.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { parseSerializedDag, serializeDag } from '../../../../src/core/serialization/index.ts';

const double = task(function double(ctx, n: number) {
  return n * 2;
});

function valid(): SerializedDag {
  const built = dag({ dagId: 'valid', schedule: '@daily', startDate: '2025-01-01' }, () => {
    const start = empty({ taskId: 'start' });
    const doubled = double(21);
    doubled.setUpstream(start);
    double(doubled);
  });
  return JSON.parse(JSON.stringify(serializeDag(built, 'valid.ts'))) as SerializedDag;
}

function validationError(json: unknown): ValidationError {
  try {
    parseSerializedDag(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('validation');
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but the document was accepted');
}

describe('parseSerializedDag()', () => {
  it('accepts what serializeDag produced', () => {
    const json = valid();
    expect(parseSerializedDag(json)).toEqual(json);
  });

  it('rejects an unknown field, naming it', () => {
    const json = { ...valid(), schedule_interval: '@daily' };
    const error = validationError(json);
    expect(error.field).toBeNull();
    expect(error.message).toContain('Unrecognized key: "schedule_interval"');
  });

  it('rejects an unknown field inside a task', () => {
    const json = valid();
    (json.tasks[1] as unknown as Record<string, unknown>).queue = 'default';
    const error = validationError(json);
    expect(error.field).toBe('tasks.1');
    expect(error.message).toContain('Unrecognized key: "queue"');
  });

  it.each([
    [(json: SerializedDag) => void ((json.tasks[0] as { triggerRule: string }).triggerRule = 'all_sucess'), 'tasks.0.triggerRule'],
    [(json: SerializedDag) => void (json.tasks[2]!.retries = -1), 'tasks.2.retries'],
    [(json: SerializedDag) => void (json.maxActiveRuns = 0), 'maxActiveRuns'],
    [(json: SerializedDag) => void ((json as { formatVersion: number }).formatVersion = 2), 'formatVersion'],
    [(json: SerializedDag) => void (json.startDate = 'yesterday'), 'startDate'],
    [(json: SerializedDag) => void (json.timetable = { type: 'weekly' } as never), 'timetable.type'],
    [(json: SerializedDag) => void (json.dagId = 'bad id'), 'dagId'],
    [(json: SerializedDag) => void (json.params = { n: { default: 1, type: 'int' as never } }), 'params.n.type'],
    [(json: SerializedDag) => void (json.tasks[1]!.args = [{ kind: 'literal' } as never]), 'tasks.1.args.0.value'],
    [(json: SerializedDag) => void delete (json as Partial<SerializedDag>).tasks, 'tasks'],
  ])('names the bad field %#', (corrupt, field) => {
    const json = valid();
    corrupt(json);
    const error = validationError(json);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^Invalid serialized DAG: ${field.replace(/\./g, '\\.')}: `));
  });

  it('rejects values that JSON cannot hold', () => {
    const json = valid();
    json.tasks[1]!.args = [{ kind: 'literal', value: new Date(0) }];
    expect(validationError(json).field).toBe('tasks.1.args.0.value');
  });

  it('rejects tasks out of topological order', () => {
    const json = valid();
    json.tasks.reverse();
    const error = validationError(json);
    expect(error.field).toBe('tasks.0.upstreamTaskIds.0');
    expect(error.message).toContain('upstream "double" of task "double__1" is not a task listed before it');
  });

  it('rejects a duplicate task id', () => {
    const json = valid();
    json.tasks.push({ ...json.tasks[0]! });
    expect(validationError(json).message).toBe('Invalid serialized DAG "valid": tasks.3.taskId: duplicate task id "start".');
  });

  it('rejects unsorted upstream ids', () => {
    const json = valid();
    json.tasks[2]!.upstreamTaskIds = ['start', 'double'];
    json.tasks[2]!.args = [];
    expect(validationError(json).field).toBe('tasks.2.upstreamTaskIds');
  });

  it('rejects an XCom argument from a task that is not upstream', () => {
    const json = valid();
    json.tasks[2]!.upstreamTaskIds = ['start'];
    expect(validationError(json).message).toContain('task "double__1" reads an XCom of "double", which is not one of its upstream tasks');
  });

  it('rejects what is not an object', () => {
    expect(validationError('{}').field).toBeNull();
  });
});
