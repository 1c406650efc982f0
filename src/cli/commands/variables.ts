import type { Command } from 'commander';
import { ApiError, type RestClient } from '../rest-client.ts';
import { API, defaultCliIo, examples, formatOf, outputOption, seg, withApi, type CliIo } from '../command-support.ts';
import { CliUsageError, printRows } from '../output.ts';

interface VariableJson {
  key: string;
  value: string | null;
  description: string | null;
}

const VARIABLES = `${API}/variables`;

/** Creates the variable, or changes it when it exists (Airflow's `variables set`). */
async function setVariable(client: RestClient, key: string, value: unknown, description: string | null | undefined): Promise<void> {
  const body = { key, value, ...(description === undefined ? {} : { description }) };
  try {
    await client.request('PATCH', `${VARIABLES}/${seg(key)}`, { body, query: { update_mask: description === undefined ? 'value' : undefined } });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    await client.request('POST', VARIABLES, { body });
  }
}

function parseJsonValue(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${what} is not JSON (${(error as Error).message}); leave out --json to store it as text.`);
  }
}

export function registerVariablesCommands(program: Command, io: CliIo = defaultCliIo): void {
  const variables = program.command('variables').description('Manage variables: key/value settings that DAGs read');

  outputOption(variables.command('list').description('List the variable keys').addHelpText('after', examples('variables list', 'variables list -o json'))).action(
    async (options: { output: string }, command: Command) => {
      const format = formatOf(options);
      await withApi(command, io, async ({ client }) => {
        const all = await client.listAll<VariableJson>(VARIABLES, 'variables');
        printRows(all.map((variable) => ({ key: variable.key })), format, io.stdout);
      });
    },
  );

  variables
    .command('get <key>')
    .description('Print the value of a variable')
    .option('-d, --default <value>', 'print this instead when the variable does not exist (exit 0)')
    .option('-j, --json', 'print the value as pretty JSON (it must be JSON)')
    .addHelpText('after', examples('variables get bucket_name', 'variables get limits --json', "variables get maybe --default ''"))
    .action(async (key: string, options: { default?: string; json?: boolean }, command: Command) => {
      await withApi(command, io, async ({ client }) => {
        let value: string;
        try {
          value = (await client.request<VariableJson>('GET', `${VARIABLES}/${seg(key)}`)).value ?? '';
        } catch (error) {
          if (error instanceof ApiError && error.status === 404 && options.default !== undefined) value = options.default;
          else throw error;
        }
        io.stdout.write(`${options.json ? JSON.stringify(parseJsonValue(value, `The value of ${key}`), null, 2) : value}\n`);
      });
    });

  variables
    .command('set <key> <value>')
    .description('Create a variable, or change its value')
    .option('--description <text>', 'what the variable is for')
    .option('-j, --json', 'the value is JSON: it is checked and stored as JSON text')
    .addHelpText('after', examples('variables set bucket_name my-data-bucket', 'variables set limits \'{"max_rows": 1000}\' --json --description "ETL limits"'))
    .action(async (key: string, value: string, options: { description?: string; json?: boolean }, command: Command) => {
      const stored = options.json ? parseJsonValue(value, 'The value') : value;
      await withApi(command, io, async ({ client }) => setVariable(client, key, stored, options.description));
      io.stdout.write(`Variable ${key} set.\n`);
    });

  variables
    .command('delete <key>')
    .description('Delete a variable')
    .addHelpText('after', examples('variables delete bucket_name'))
    .action(async (key: string, _options: unknown, command: Command) => {
      await withApi(command, io, async ({ client }) => client.request('DELETE', `${VARIABLES}/${seg(key)}`));
      io.stdout.write(`Variable ${key} deleted.\n`);
    });

  variables
    .command('import <file>')
    .description('Set the variables of a JSON file: {"key": value, ...}; non-string values are stored as JSON')
    .option('--action-on-existing-key <action>', 'overwrite, skip or fail when a key exists', 'overwrite')
    .addHelpText('after', examples('variables import variables.json', 'variables import variables.json --action-on-existing-key skip'))
    .action(async (file: string, options: { actionOnExistingKey: string }, command: Command) => {
      const action = options.actionOnExistingKey;
      if (!['overwrite', 'skip', 'fail'].includes(action)) throw new CliUsageError(`--action-on-existing-key must be overwrite, skip or fail, not "${action}".`);
      const parsed = parseJsonValue(await io.readFile(file), file);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliUsageError(`${file} must hold a JSON object: {"key": "value", ...}.`);
      const entries = Object.entries(parsed as Record<string, unknown>);
      let set = 0;
      let skipped = 0;
      await withApi(command, io, async ({ client }) => {
        const existing = new Set((await client.listAll<VariableJson>(VARIABLES, 'variables')).map((variable) => variable.key));
        const clashing = entries.filter(([key]) => existing.has(key)).map(([key]) => key);
        if (action === 'fail' && clashing.length > 0) {
          throw new CliUsageError(`These variables exist already: ${clashing.join(', ')}. Nothing was imported; use --action-on-existing-key overwrite or skip.`);
        }
        for (const [key, value] of entries) {
          if (action === 'skip' && existing.has(key)) {
            skipped++;
            continue;
          }
          await setVariable(client, key, typeof value === 'string' ? value : JSON.stringify(value), undefined);
          set++;
        }
      });
      io.stdout.write(`${set} of ${entries.length} variable(s) imported from ${file}${skipped ? ` (${skipped} existing skipped)` : ''}.\n`);
    });

  variables
    .command('export <file>')
    .description('Write every variable to a JSON file (JSON values as JSON, others as text)')
    .addHelpText('after', examples('variables export variables.json'))
    .action(async (file: string, _options: unknown, command: Command) => {
      const all = await withApi(command, io, ({ client }) => client.listAll<VariableJson>(VARIABLES, 'variables'));
      const content = Object.fromEntries(
        all.map((variable) => {
          try {
            return [variable.key, JSON.parse(variable.value ?? 'null') as unknown];
          } catch {
            return [variable.key, variable.value];
          }
        }),
      );
      await io.writeFile(file, `${JSON.stringify(content, null, 4)}\n`);
      io.stdout.write(`${all.length} variable(s) exported to ${file}.\n`);
    });
}
