import { ValidationError } from '../../core/errors.ts';
import type { SerializedParam } from '../../core/model/serialized-dag.ts';
import { matchesParamType } from '../../sdk/params.ts';

/**
 * Checks a trigger's conf against the DAG's params as Airflow's `ParamsDict.validate` does: every param
 * resolves to the conf's value or else its default, and must then exist and match its declared type.
 * Conf keys that are not params pass through untouched (Airflow keeps them in `dag_run.conf`).
 *
 * @throws ValidationError naming the first param that fails (the REST API answers 400).
 */
export function validateConfAgainstParams(params: Readonly<Record<string, SerializedParam>>, conf: Readonly<Record<string, unknown>>): void {
  for (const [name, param] of Object.entries(params)) {
    const given = Object.hasOwn(conf, name);
    const value = given ? conf[name] : param.default;
    if (value === undefined) {
      throw new ValidationError(
        `Param "${name}" has no default and the conf does not give it. Add "${name}" to the conf of the trigger.`,
        `conf.${name}`,
      );
    }
    if (param.type !== undefined && !matchesParamType(value, param.type)) {
      throw new ValidationError(
        `Param "${name}" must be of type ${param.type}, but ${given ? 'the conf gives' : 'its default is'} ${JSON.stringify(value)}. ` +
          `Pass a ${param.type} as "${name}" in the conf.`,
        `conf.${name}`,
      );
    }
  }
}
