import { UpdraftError } from '../../core/errors.ts';
import type { TaskArg, TaskDefinition } from '../../sdk/index.ts';
import type { AttemptInfo } from './attempt-info.ts';

/**
 * Where a mapped instance's elements go (dynamic task mapping): the start answer's `mappedInputs`
 * fills the `mapped` / `map_item` TaskFlow arguments by position and overlays the mapped template fields.
 */

/** A mapped instance started without its elements: the Execution API is older than this worker. */
export class MappedInputsMissingError extends UpdraftError {
  constructor(message: string) {
    super('mapped_inputs_missing', message);
  }
}

/** The value of the `mapped` or `map_item` argument at `position` (0-based, after the context). */
export function mappedArgument(info: AttemptInfo, position: number): unknown {
  const args = requireMappedInputs(info, `argument ${position}`).args;
  if (!Object.hasOwn(args, String(position))) {
    throw new MappedInputsMissingError(
      `The Execution API sent no value for mapped argument ${position} of ${describeInstance(info)}. ` +
        'The DAG version of the run and the bundle may differ; clear the task so it runs on the current version.',
    );
  }
  return args[String(position)];
}

/**
 * The task's template fields with its mapped fields in place. Elements of lists written in the DAG file
 * are templates like any field (`toRender`); elements that came from an upstream's XCom are data and
 * are not rendered (`rendered`), as Airflow renders expand values only when they are not XCom values.
 */
export function mappedTemplateFields(
  task: Pick<TaskDefinition, 'templateFields' | 'expandInputs'>,
  info: AttemptInfo,
): { toRender: Record<string, unknown>; rendered: Record<string, unknown> } {
  const fieldInputs = (task.expandInputs ?? []).filter((input) => input.target.kind === 'field');
  if (fieldInputs.length === 0 || info.ti.mapIndex < 0) return { toRender: task.templateFields, rendered: {} };
  const values = requireMappedInputs(info, 'its mapped fields').fields;
  const toRender: Record<string, unknown> = { ...task.templateFields };
  const rendered: Record<string, unknown> = {};
  for (const input of fieldInputs) {
    const name = (input.target as { name: string }).name;
    if (!Object.hasOwn(values, name)) {
      throw new MappedInputsMissingError(
        `The Execution API sent no value for mapped field "${name}" of ${describeInstance(info)}. ` +
          'The DAG version of the run and the bundle may differ; clear the task so it runs on the current version.',
      );
    }
    if (input.source.kind === 'literal') toRender[name] = values[name];
    else {
      delete toRender[name];
      rendered[name] = values[name];
    }
  }
  return { toRender, rendered };
}

/** Whether an argument is filled from the mapped instance's elements rather than from the DAG file or an XCom. */
export function isMappedArgument(arg: TaskArg): arg is Extract<TaskArg, { kind: 'mapped' | 'map_item' }> {
  return arg.kind === 'mapped' || arg.kind === 'map_item';
}

function requireMappedInputs(info: AttemptInfo, what: string): NonNullable<AttemptInfo['mappedInputs']> {
  if (info.ti.mapIndex < 0) {
    throw new MappedInputsMissingError(
      `${describeInstance(info)} is not a mapped instance (map index -1), but its task needs ${what} from a mapped list. ` +
        'The DAG version of the run and the bundle may differ; clear the task so it runs on the current version.',
    );
  }
  if (!info.mappedInputs) {
    throw new MappedInputsMissingError(
      `The Execution API did not send the mapped inputs of ${describeInstance(info)} (${what}): it is older than this ` +
        'worker. Upgrade the Execution API to the version of the workers, then clear the task.',
    );
  }
  return info.mappedInputs;
}

function describeInstance(info: AttemptInfo): string {
  return `task "${info.ti.taskId}" map index ${info.ti.mapIndex}`;
}
