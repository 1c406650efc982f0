import { canonicalJson } from '../../core/serialization/index.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import { sha256Hex } from './workspace.ts';

const VERSION_ID_HEX_CHARS = 20;

/**
 * A DAG version id derives from the serialized DAG and the bundle the tasks run from, so re-parsing
 * unchanged content yields the same version and a change to task code (same structure) a new one.
 */
export function dagVersionId(serialized: SerializedDag, bundleSha: string): string {
  return sha256Hex(`${canonicalJson(serialized)}\n${bundleSha}`).slice(0, VERSION_ID_HEX_CHARS);
}
