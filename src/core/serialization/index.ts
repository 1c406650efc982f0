export { canonicalJson } from './canonical-json.ts';
export { parseSerializedDag } from './parse-serialized-dag.ts';
export { serializeDag } from './serialize-dag.ts';
export { serializedDagSchema, serializedTaskSchema } from './serialized-dag-schema.ts';
export { topologicalOrder } from './topological-order.ts';
