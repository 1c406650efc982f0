import type { Command } from 'commander';
import { UPDRAFT_VERSION } from '../../http/rest-api/package-version.ts';
import { loadUpdraftConfig } from '../../local/config-file.ts';
import { API, defaultCliIo, examples, formatOf, outputOption, withApi, type CliIo } from '../command-support.ts';
import { printRecord, printRows } from '../output.ts';
import { ApiError } from '../rest-client.ts';

/** Reads `[core] executor` from the configuration this process sees (local mode's). */
export type ExecutorSetting = () => string;

const localExecutors: ExecutorSetting = () => loadUpdraftConfig().getString('core', 'executor');

export function registerInfoCommand(program: Command, io: CliIo = defaultCliIo, executors: ExecutorSetting = localExecutors): void {
  outputOption(
    program
      .command('info')
      .description('Show where the CLI points (API URL or local state folder), how it authenticates, versions and executors')
      .addHelpText('after', examples('info', 'info --api-url https://updraft.example.com -o json')),
  ).action(async (options: { output: string }, command: Command) => {
    const format = formatOf(options);
    await withApi(command, io, async (api) => {
      const version = await api.client.request<{ version: string }>('GET', `${API}/version`);
      let executor: string;
      if (api.mode === 'local') {
        executor = executors();
      } else {
        // Airflow's get_config_value; a deployment that does not expose its configuration answers 403 or 404.
        executor = await api.client
          .request<{ sections: Array<{ options: Array<{ value: string }> }> }>('GET', `${API}/config/section/core/option/executor`)
          .then((config) => config.sections[0]?.options[0]?.value ?? 'unknown')
          .catch((error: unknown) => {
            if (error instanceof ApiError) return `unknown (the API answered ${error.status} for its configuration)`;
            throw error;
          });
      }
      const rows = [
        { property: 'updraft_version', value: version.version },
        { property: 'cli_version', value: UPDRAFT_VERSION },
        { property: 'mode', value: api.mode },
        { property: api.mode === 'remote' ? 'api_url' : 'home', value: api.location },
        { property: 'auth', value: api.auth },
        { property: 'executor', value: executor },
      ];
      if (format === 'table') printRows(rows, format, io.stdout);
      else printRecord(Object.fromEntries(rows.map((row) => [row.property, row.value])), format, io.stdout);
    });
  });
}
