import { ConfigError } from '../errors.ts';
import {
  CONFIG_DEFINITIONS,
  configEnvVariable,
  configKeysOf,
  configSections,
  findConfigDefinition,
  type ConfigDefinition,
  type ConfigValue,
  type ConfigValueType,
} from './definitions.ts';
import { didYouMean } from './did-you-mean.ts';
import { parseExecutorList, type ExecutorSpec } from './executor-spec.ts';
import { joinProblems, parseIniText } from './ini-file.ts';
import { formatConfigValue, parseConfigValue } from './value-parsing.ts';

/** Where an effective value came from; the highest-precedence source that sets a key wins. */
export type ConfigSource = { kind: 'default' } | { kind: 'file'; path: string; line: number } | { kind: 'env'; variable: string };

export interface ConfigEntry {
  section: string;
  key: string;
  value: ConfigValue;
  source: ConfigSource;
  sensitive: boolean;
  description: string;
}

/** What a sensitive value is shown as, as Airflow's `config list` shows it. */
export const HIDDEN_VALUE = '< hidden >';

const ENV_PREFIX = 'UPDRAFT__';

/** `default`, `env UPDRAFT__CORE__EXECUTOR`, `file ./updraft.cfg:3`. */
export function describeConfigSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'env':
      return `env ${source.variable}`;
    case 'file':
      return `file ${source.path}:${source.line}`;
  }
}

/** The value as `config list` prints it: sensitive values hidden unless they are unset. */
export function displayConfigValue(entry: ConfigEntry): string {
  if (entry.sensitive && entry.value !== null) return HIDDEN_VALUE;
  return formatConfigValue(entry.value);
}

/**
 * The effective configuration: built-in defaults < the config file < `UPDRAFT__SECTION__KEY` variables,
 * as Airflow layers airflow.cfg and `AIRFLOW__SECTION__KEY`. Pure: the caller reads the file and passes
 * the environment. Everything is validated at once, so a start-up fails on every typo together, each
 * problem naming the variable or file line it came from.
 */
export class UpdraftConfig {
  private constructor(
    private readonly byId: ReadonlyMap<string, ConfigEntry>,
    private readonly executorSpecs: readonly ExecutorSpec[],
  ) {}

  static resolve(input: { file?: { path: string; text: string }; env: Record<string, string | undefined> }): UpdraftConfig {
    const byId = new Map<string, ConfigEntry>();
    for (const definition of CONFIG_DEFINITIONS) {
      byId.set(id(definition.section, definition.key), {
        section: definition.section,
        key: definition.key,
        value: copyValue(definition.default),
        source: { kind: 'default' },
        sensitive: definition.sensitive,
        description: definition.description,
      });
    }
    const problems: string[] = [];
    const assign = (definition: ConfigDefinition, raw: string, source: ConfigSource, where: string) => {
      const parsed = parseConfigValue(definition, raw);
      if (!parsed.ok) {
        problems.push(`${where}: [${definition.section}] ${definition.key} ${parsed.problem}.`);
        return;
      }
      byId.set(id(definition.section, definition.key), { ...byId.get(id(definition.section, definition.key))!, value: parsed.value, source });
    };

    if (input.file) {
      const { path } = input.file;
      const reportedSections = new Set<string>();
      for (const assignment of parseIniText(path, input.file.text)) {
        const where = `${path}:${assignment.line}`;
        if (!configSections().includes(assignment.section)) {
          // Once per section, at its header: every key under a misspelt header is the same mistake.
          if (!reportedSections.has(assignment.section)) {
            reportedSections.add(assignment.section);
            lookup(assignment.section, assignment.key, (problem) => problems.push(`${path}:${assignment.sectionLine}: ${problem}`));
          }
          continue;
        }
        const definition = lookup(assignment.section, assignment.key, (problem) => problems.push(`${where}: ${problem}`));
        if (definition) assign(definition, assignment.value, { kind: 'file', path, line: assignment.line }, where);
      }
    }

    const variables = Object.keys(input.env)
      .filter((name) => name.startsWith(ENV_PREFIX) && input.env[name] !== undefined)
      .sort();
    for (const variable of variables) {
      const parts = variable.slice(ENV_PREFIX.length).split('__');
      if (parts.length !== 2 || parts.some((part) => part === '')) {
        problems.push(
          `${variable}: not a configuration variable; they are named ${ENV_PREFIX}<SECTION>__<KEY>, e.g. UPDRAFT__CORE__EXECUTOR. Remove or rename it.`,
        );
        continue;
      }
      const [section, key] = parts.map((part) => part.toLowerCase()) as [string, string];
      const definition = lookup(section, key, (problem) => problems.push(`${variable}: ${problem} Remove or rename the variable.`));
      if (definition) assign(definition, input.env[variable]!, { kind: 'env', variable }, variable);
    }

    // Checked here, once, so that a bad executor list fails at start-up and names where it was set.
    let executorSpecs: ExecutorSpec[] = [];
    const executor = byId.get(id('core', 'executor'))!;
    try {
      executorSpecs = parseExecutorList(executor.value as string[]);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(`${whereOf(executor.source)}: ${error.message}`);
    }

    if (problems.length > 0) throw new ConfigError(joinProblems('The Updraft configuration is not valid', problems));
    return new UpdraftConfig(byId, executorSpecs);
  }

  /** Built-in defaults only: what a deployment without a file or variables runs with. */
  static defaults(): UpdraftConfig {
    return UpdraftConfig.resolve({ env: {} });
  }

  get(section: string, key: string): ConfigEntry {
    const wantedSection = section.toLowerCase();
    const wantedKey = key.toLowerCase();
    lookup(wantedSection, wantedKey, (problem) => {
      throw new ConfigError(`${problem[0]!.toUpperCase()}${problem.slice(1)}`);
    });
    return copyEntry(this.byId.get(id(wantedSection, wantedKey))!);
  }

  getString(section: string, key: string): string {
    const value = this.getOptionalString(section, key);
    if (value === null) {
      const definition = findConfigDefinition(section.toLowerCase(), key.toLowerCase())!;
      throw new ConfigError(
        `[${definition.section}] ${definition.key} is not set. Set it in updraft.cfg ([${definition.section}] ${definition.key} = ${definition.example}) ` +
          `or with ${configEnvVariable(definition.section, definition.key)}=${definition.example}.`,
      );
    }
    return value;
  }

  /** For keys without a default (fargate.log_group): null when unset. */
  getOptionalString(section: string, key: string): string | null {
    return this.typed(section, key, ['string', 'enum'], 'getString') as string | null;
  }

  getInteger(section: string, key: string): number {
    return this.typed(section, key, ['integer'], 'getInteger') as number;
  }

  getBoolean(section: string, key: string): boolean {
    return this.typed(section, key, ['boolean'], 'getBoolean') as boolean;
  }

  getList(section: string, key: string): string[] {
    return this.typed(section, key, ['list'], 'getList') as string[];
  }

  /** Every key's effective value, sorted by section then key. */
  entries(): ConfigEntry[] {
    return [...this.byId.values()]
      .map(copyEntry)
      .sort((a, b) => a.section.localeCompare(b.section) || a.key.localeCompare(b.key));
  }

  /** `core.executor`, parsed and checked; the first is the default executor. */
  executors(): ExecutorSpec[] {
    return this.executorSpecs.map((spec) => ({ ...spec }));
  }

  private typed(section: string, key: string, types: readonly ConfigValueType[], getter: string): ConfigValue {
    const entry = this.get(section, key);
    const definition = findConfigDefinition(entry.section, entry.key)!;
    if (!types.includes(definition.type)) {
      throw new ConfigError(
        `[${entry.section}] ${entry.key} is ${article(definition.type)} ${definition.type}, which ${getter}() cannot read; use ${getterFor(definition.type)}().`,
      );
    }
    return entry.value;
  }
}

function id(section: string, key: string): string {
  return `${section}.${key}`;
}

/** The definition of section.key, or a problem (phrased as sentences) naming what is known instead. */
function lookup(section: string, key: string, report: (problem: string) => void): ConfigDefinition | undefined {
  const sections = configSections();
  if (!sections.includes(section)) {
    report(`unknown configuration section [${section}]${didYouMean(section, sections)}. Known sections: ${sections.join(', ')}.`);
    return undefined;
  }
  const definition = findConfigDefinition(section, key);
  if (!definition) {
    const keys = configKeysOf(section);
    report(`unknown key "${key}" in section [${section}]${didYouMean(key, keys)}. Known keys of [${section}]: ${keys.join(', ')}.`);
  }
  return definition;
}

function whereOf(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'env':
      return source.variable;
    case 'file':
      return `${source.path}:${source.line}`;
  }
}

function copyValue(value: ConfigValue | readonly string[]): ConfigValue {
  return Array.isArray(value) ? [...value] : (value as ConfigValue);
}

function copyEntry(entry: ConfigEntry): ConfigEntry {
  return { ...entry, value: copyValue(entry.value), source: { ...entry.source } };
}

function article(type: ConfigValueType): string {
  return type === 'integer' || type === 'enum' ? 'an' : 'a';
}

function getterFor(type: ConfigValueType): string {
  return { string: 'getString', enum: 'getString', integer: 'getInteger', boolean: 'getBoolean', list: 'getList' }[type];
}

