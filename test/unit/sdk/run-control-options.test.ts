import { describe, expect, it } from 'vitest';
import { DagDefinitionError, WEIGHT_RULES, bash, dag, empty, isWeightRule, task } from 'updraft/sdk';
import { serializeDag } from '../../../src/core/serialization/index.ts';
import { definitionError } from '../../support/definition-error.ts';

describe('weightRule, dependsOnPast and waitForDownstream', () => {
  it("default to Airflow's: downstream, false, false; and are left out of the serialized DAG then", () => {
    const built = dag({ dagId: 'defaults' }, () => void empty({ taskId: 'only' }));
    expect(built.tasks.get('only')).toMatchObject({ weightRule: 'downstream', dependsOnPast: false, waitForDownstream: false });
    const serialized = serializeDag(built, 'defaults.ts').tasks[0]!;
    expect(Object.keys(serialized)).not.toContain('weightRule');
    expect(Object.keys(serialized)).not.toContain('dependsOnPast');
    expect(Object.keys(serialized)).not.toContain('waitForDownstream');
  });

  it('come from defaultArgs, and a task’s own option wins', () => {
    const built = dag({ dagId: 'from_defaults', defaultArgs: { weightRule: 'upstream', dependsOnPast: true } }, () => {
      empty({ taskId: 'inherits' });
      bash({ taskId: 'own', bashCommand: 'true', weightRule: 'absolute', dependsOnPast: false });
    });
    expect(built.tasks.get('inherits')).toMatchObject({ weightRule: 'upstream', dependsOnPast: true, waitForDownstream: false });
    expect(built.tasks.get('own')).toMatchObject({ weightRule: 'absolute', dependsOnPast: false });
  });

  it('waitForDownstream turns dependsOnPast on, as in Airflow', () => {
    const built = dag({ dagId: 'wait' }, () => void task({ taskId: 'extract', waitForDownstream: true, dependsOnPast: false }, () => 1)());
    expect(built.tasks.get('extract')).toMatchObject({ dependsOnPast: true, waitForDownstream: true });
    expect(serializeDag(built, 'wait.ts').tasks[0]).toMatchObject({ dependsOnPast: true, waitForDownstream: true });
  });

  it.each([
    [{ weightRule: 'Downstream' }, 'unknown weightRule "Downstream". Use one of: downstream, upstream, absolute.'],
    [{ dependsOnPast: 'yes' }, 'dependsOnPast must be true or false, got "yes".'],
    [{ waitForDownstream: 1 }, 'waitForDownstream must be true or false, got 1.'],
  ])('rejects a bad value %#, naming the DAG and the task', (options, message) => {
    const bad = task({ taskId: 'bad', ...(options as object) }, () => null);
    expect(definitionError(() => dag({ dagId: 'checks' }, () => void bad())).message).toContain(`DAG "checks", task "bad": ${message}`);
  });

  it('exports the rules', () => {
    expect(WEIGHT_RULES).toEqual(['downstream', 'upstream', 'absolute']);
    expect(isWeightRule('absolute')).toBe(true);
    expect(isWeightRule('total')).toBe(false);
  });
});
