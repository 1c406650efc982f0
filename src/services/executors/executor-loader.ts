import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecutorSpec, BuiltinExecutorName } from '../../core/config/executor-spec.ts';
import { ConfigError } from '../../core/errors.ts';
import type { BaseExecutorOptions } from '../../core/executors/base-executor.ts';
import { ExecutorRegistry, type Executor } from '../../core/ports/executor.ts';
import type { Logger } from '../../core/ports/logger.ts';

/** Builds a built-in executor under its alias; a deployment provides the ones it can run. */
export type BuiltinExecutorFactories = Partial<Record<BuiltinExecutorName, (alias: string) => Executor>>;

export interface LoadExecutorsOptions {
  /** `core.executor`, parsed: the first is the default. */
  specs: readonly ExecutorSpec[];
  builtins: BuiltinExecutorFactories;
  /** Why a built-in missing from `builtins` cannot run here, for the error message. */
  unavailableBuiltin?: (name: BuiltinExecutorName) => string;
  /** What a custom executor's constructor receives besides its name. */
  customOptions: Omit<BaseExecutorOptions, 'name'>;
  /** Relative module paths of custom executors resolve from here (the working directory). */
  baseDir: string;
  /** Where this runs: a non-production executor in AWS is warned about, as Airflow warns. */
  environment: 'aws' | 'local';
  logger: Logger;
}

/** The methods that make an object an executor, checked on custom ones before they are trusted. */
const EXECUTOR_METHODS = [
  'queueWorkload',
  'reserveSlot',
  'releaseSlot',
  'reconcile',
  'forgetEndedOfRun',
  'sync',
  'heartbeat',
  'drainEvents',
  'stopAttempt',
  'cleanupStuckQueued',
  'tryAdoptTaskInstances',
  'getTaskLog',
  'start',
  'end',
  'terminate',
] as const;

/**
 * `core.executor` → the executors, in order (Airflow's ExecutorLoader). Built-ins come from the
 * deployment's factories; `Alias:module#Export` is imported and constructed with
 * `{ name: alias, ...customOptions }`. Each is started before it is returned.
 */
export async function loadExecutors(options: LoadExecutorsOptions): Promise<ExecutorRegistry> {
  const executors: Executor[] = [];
  for (const spec of options.specs) {
    const executor = 'builtin' in spec ? builtin(spec.builtin, options) : await custom(spec, options);
    if (options.environment === 'aws' && !executor.capabilities.isProduction) {
      options.logger.warn(
        `Executor "${executor.name}" says it is not fit for production, yet it is configured in AWS; ` +
          'prefer lambda or fargate there, or mark the executor isProduction when it is.',
        { executor: executor.name },
      );
    }
    await executor.start();
    executors.push(executor);
  }
  return new ExecutorRegistry(executors);
}

function builtin(name: BuiltinExecutorName, options: LoadExecutorsOptions): Executor {
  const factory = options.builtins[name];
  if (!factory) {
    const why = options.unavailableBuiltin?.(name) ?? `the built-in executor "${name}" is not available here.`;
    throw new ConfigError(`[core] executor: ${why}`);
  }
  return factory(name);
}

async function custom(spec: { alias: string; module: string; exportName: string }, options: LoadExecutorsOptions): Promise<Executor> {
  const local = spec.module.startsWith('.') || isAbsolute(spec.module);
  const specifier = local ? pathToFileURL(resolve(options.baseDir, spec.module)).href : spec.module;
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      `[core] executor: could not import "${spec.module}" for executor "${spec.alias}" (${(error as Error).message}). ` +
        `Paths are relative to ${options.baseDir}; check the path and that the module has no import error.`,
      { cause: error },
    );
  }
  const exported = module[spec.exportName];
  if (typeof exported !== 'function') {
    const names = Object.keys(module).join(', ') || 'none';
    throw new ConfigError(
      `[core] executor: "${spec.module}" has no class "${spec.exportName}" for executor "${spec.alias}" (its exports: ${names}).`,
    );
  }
  const executor = new (exported as new (options: BaseExecutorOptions) => Executor)({ ...options.customOptions, name: spec.alias });
  const missing = EXECUTOR_METHODS.filter((method) => typeof (executor as unknown as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0 || typeof executor.capabilities !== 'object' || executor.capabilities === null) {
    throw new ConfigError(
      `[core] executor: ${spec.exportName} from "${spec.module}" is not an executor (missing: ${[...missing, ...(executor.capabilities ? [] : ['capabilities'])].join(', ')}). ` +
        "Extend BaseExecutor from 'updraft/executors'.",
    );
  }
  if (executor.name !== spec.alias) {
    throw new ConfigError(
      `[core] executor: ${spec.exportName} named itself "${executor.name}", but core.executor calls it "${spec.alias}". ` +
        'Pass the name it is given to BaseExecutor.',
    );
  }
  return executor;
}
