import type { Command } from 'commander';
import { configSections } from '../../core/config/definitions.ts';
import { didYouMean } from '../../core/config/did-you-mean.ts';
import { describeConfigSource, displayConfigValue, HIDDEN_VALUE, type UpdraftConfig } from '../../core/config/updraft-config.ts';
import { formatConfigValue } from '../../core/config/value-parsing.ts';
import { ConfigError } from '../../core/errors.ts';
import { loadUpdraftConfig } from '../../local/config-file.ts';
import { parseOutputFormat, printRows } from '../output.ts';

/** Seams for tests: where the configuration comes from and where output goes. */
export interface ConfigCommandIo {
  loadConfig?: () => UpdraftConfig;
  stdout?: NodeJS.WritableStream;
}

export function registerConfigCommands(program: Command, io: ConfigCommandIo = {}): void {
  const load = io.loadConfig ?? (() => loadUpdraftConfig());
  const out = () => io.stdout ?? process.stdout;

  const config = program
    .command('config')
    .description('Show the effective configuration: defaults < updraft.cfg ($UPDRAFT_CONFIG_FILE) < UPDRAFT__SECTION__KEY variables');

  config
    .command('get-value <section> <key>')
    .description('Print the effective value of one key, alone (lists comma-joined, unset as an empty line)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ updraft config get-value core executor',
        '  lambda,fargate',
        '  $ UPDRAFT__CORE__PARALLELISM=8 updraft config get-value core parallelism',
        '  8',
        '',
        'An unknown section or key is an error (exit code 1) that lists the known ones.',
      ].join('\n'),
    )
    .action((section: string, key: string) => {
      // Asked for by name, so shown even when sensitive, as Airflow's `config get-value` does.
      const entry = load().get(section, key);
      out().write(`${formatConfigValue(entry.value)}\n`);
    });

  config
    .command('list')
    .description('List every key with its effective value and where the value came from')
    .option('--section <section>', 'only the keys of this section')
    .option('--include-descriptions', 'add a column with what each key does')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ updraft config list',
        '  $ updraft config list --section fargate -o json',
        '',
        `Sources: "default", "file ./updraft.cfg:3" (file and line), "env UPDRAFT__CORE__EXECUTOR".`,
        `Sensitive values are shown as "${HIDDEN_VALUE}"; read one with \`updraft config get-value\`.`,
      ].join('\n'),
    )
    .action((options: { section?: string; includeDescriptions?: boolean; output: string }) => {
      const format = parseOutputFormat(options.output);
      const section = options.section?.toLowerCase();
      if (section !== undefined && !configSections().includes(section)) {
        throw new ConfigError(
          `Unknown configuration section [${options.section}]${didYouMean(section, configSections())}. Known sections: ${configSections().join(', ')}.`,
        );
      }
      const rows = load()
        .entries()
        .filter((entry) => section === undefined || entry.section === section)
        .map((entry) => ({
          section: entry.section,
          key: entry.key,
          // JSON keeps the types (lists as arrays, unset as null) so scripts need not split strings.
          value: format === 'json' && !(entry.sensitive && entry.value !== null) ? entry.value : displayConfigValue(entry),
          source: describeConfigSource(entry.source),
          ...(options.includeDescriptions ? { description: entry.description } : {}),
        }));
      printRows(rows, format, out());
    });
}
