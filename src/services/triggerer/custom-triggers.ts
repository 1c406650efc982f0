import type { TaskAttemptKey } from '../../core/model/keys.ts';
import { isDag, triggersOfDag, type TriggerDefinition } from '../../sdk/index.ts';
import type { BundleLoader } from '../task-runner/bundle-loader.ts';
import { UnknownTriggerError } from './trigger-outcome.ts';

/**
 * Finds a custom trigger in the DAG version's bundle: `defineTrigger` registers it in the bundle's own
 * copy of the SDK, and every DAG of that bundle exposes the registry (see triggersOfDag).
 */
export async function findCustomTrigger(
  bundleLoader: Pick<BundleLoader, 'load'>,
  bundleKey: string,
  ti: TaskAttemptKey,
  name: string,
): Promise<TriggerDefinition> {
  const bundle = await bundleLoader.load(bundleKey);
  const dags = Object.values(bundle).filter(isDag);
  const dag = dags.find((candidate) => candidate.dagId === ti.dagId) ?? dags[0];
  const trigger = dag ? triggersOfDag(dag).get(name) : undefined;
  if (!trigger) {
    const known = dag ? [...triggersOfDag(dag).keys()] : [];
    throw new UnknownTriggerError(
      `The trigger "${name}" is neither built in nor defined in the DAG file of "${ti.dagId}" (it defines: ${known.join(', ') || 'none'}). ` +
        'Call defineTrigger({ name, poll }) at the top level of the DAG file, or use a built-in trigger.',
    );
  }
  return trigger;
}
