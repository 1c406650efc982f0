import { ConfigError } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';
import { splitList } from './value-parsing.ts';

export const BUILTIN_EXECUTORS = ['local', 'lambda', 'fargate'] as const;
export type BuiltinExecutorName = (typeof BUILTIN_EXECUTORS)[number];

/**
 * One entry of `core.executor`. `alias` is the name tasks use (`executor: 'Gpu'`) and the executor's
 * name in metrics; for a built-in it is the built-in's name.
 */
export type ExecutorSpec = { alias: string; builtin: BuiltinExecutorName } | { alias: string; module: string; exportName: string };

const CUSTOM_FORM = 'Alias:module#Export, e.g. Gpu:./executors/gpu.ts#GpuExecutor';
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]*$/;
const EXPORT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isBuiltin(name: string): name is BuiltinExecutorName {
  return (BUILTIN_EXECUTORS as readonly string[]).includes(name);
}

function fail(problem: string): never {
  throw new ConfigError(`[core] executor: ${problem}`);
}

/**
 * "lambda, fargate, Gpu:./executors/gpu.ts#GpuExecutor" → specs, in order (the first is the default).
 * As Airflow's executor loader: a built-in is named alone (it cannot be aliased), a custom executor may
 * leave out its alias (the export's name is used), and nothing may be configured twice.
 */
export function parseExecutorList(value: string | readonly string[]): ExecutorSpec[] {
  const entries = typeof value === 'string' ? splitList(value) : value.map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) {
    fail(`is empty: name at least one executor, e.g. "lambda" (built-in: ${BUILTIN_EXECUTORS.join(', ')}).`);
  }
  const specs = entries.map(parseEntry);
  const seenAliases = new Map<string, string>();
  const seenModules = new Set<string>();
  specs.forEach((spec, index) => {
    const earlier = seenAliases.get(spec.alias.toLowerCase());
    if (earlier !== undefined) {
      fail(`"${entries[index]}" uses the name "${spec.alias}" that "${earlier}" already has: give each executor its own alias.`);
    }
    seenAliases.set(spec.alias.toLowerCase(), entries[index]!);
    if ('module' in spec) {
      const target = `${spec.module}#${spec.exportName}`;
      if (seenModules.has(target)) fail(`${target} is configured twice: configure each executor once.`);
      seenModules.add(target);
    }
  });
  return specs;
}

function parseEntry(entry: string): ExecutorSpec {
  if (isBuiltin(entry)) return { alias: entry, builtin: entry };
  const hash = entry.lastIndexOf('#');
  if (hash === -1) {
    const [alias, rest] = splitAlias(entry);
    if (alias !== null && isBuiltin(rest)) {
      fail(`"${entry}": a built-in executor cannot be given an alias; write "${rest}" alone.`);
    }
    if (alias !== null) fail(`"${entry}" names no export: write ${CUSTOM_FORM}.`);
    fail(
      `unknown executor "${entry}"${didYouMean(entry, BUILTIN_EXECUTORS)}. Built-in executors are ${BUILTIN_EXECUTORS.join(', ')}; ` +
        `a custom executor is written ${CUSTOM_FORM}.`,
    );
  }
  const exportName = entry.slice(hash + 1).trim();
  const [alias, module] = splitAlias(entry.slice(0, hash));
  if (module === '') fail(`"${entry}" names no module: write ${CUSTOM_FORM}.`);
  if (!EXPORT_NAME.test(exportName)) fail(`"${entry}": "${exportName}" is not an export name; write ${CUSTOM_FORM}.`);
  const name = alias ?? exportName;
  if (!ALIAS.test(name)) {
    fail(`"${entry}": the alias "${name}" must start with a letter and hold only letters, digits, "_" and "-".`);
  }
  if (isBuiltin(name.toLowerCase())) {
    fail(`"${entry}": the alias "${name}" is the name of a built-in executor; choose another alias.`);
  }
  return { alias: name, module, exportName };
}

/** "Gpu:./gpu.ts" → ["Gpu", "./gpu.ts"]; "./gpu.ts" → [null, "./gpu.ts"]. */
function splitAlias(text: string): [string | null, string] {
  const colon = text.indexOf(':');
  if (colon === -1) return [null, text.trim()];
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

/** The entry as written in `core.executor`. */
export function formatExecutorSpec(spec: ExecutorSpec): string {
  return 'builtin' in spec ? spec.builtin : `${spec.alias}:${spec.module}#${spec.exportName}`;
}
