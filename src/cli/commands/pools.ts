import type { Command } from 'commander';
import { ApiError, type RestClient } from '../rest-client.ts';
import { API, defaultCliIo, examples, formatOf, outputOption, seg, withApi, type CliIo } from '../command-support.ts';
import { CliUsageError, printRows, type OutputFormat } from '../output.ts';

interface PoolJson {
  name: string;
  slots: number;
  description: string | null;
  include_deferred: boolean;
  occupied_slots: number;
  open_slots: number;
}

interface PoolSettings {
  slots: number;
  description: string | null;
  include_deferred: boolean;
}

const POOLS = `${API}/pools`;

function poolRows(pools: PoolJson[]) {
  return pools.map((pool) => ({
    pool: pool.name,
    slots: pool.slots,
    description: pool.description,
    include_deferred: pool.include_deferred,
    occupied_slots: pool.occupied_slots,
    open_slots: pool.open_slots,
  }));
}

function parseSlots(value: unknown, where: string): number {
  const slots = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(slots) || slots < -1) throw new CliUsageError(`${where}: slots must be a whole number, or -1 for unlimited, not "${String(value)}".`);
  return slots;
}

/** Creates the pool, or changes it when it exists (Airflow's `pools set`). */
async function setPool(client: RestClient, name: string, settings: PoolSettings): Promise<PoolJson> {
  try {
    return await client.request<PoolJson>('PATCH', `${POOLS}/${seg(name)}`, { body: { name, ...settings } });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    return client.request<PoolJson>('POST', POOLS, { body: { name, ...settings } });
  }
}

function print(pools: PoolJson[], format: OutputFormat, io: CliIo) {
  printRows(poolRows(pools), format, io.stdout);
}

/** Airflow's pools file: `{"<name>": {"slots": n, "description": "...", "include_deferred": false}}`. */
function parsePoolsFile(text: string, path: string): Array<{ name: string } & PoolSettings> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${path} is not JSON: ${(error as Error).message}. Write {"<pool>": {"slots": 4, "description": "..."}}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError(`${path} must hold a JSON object of pools: {"<pool>": {"slots": 4, "description": "..."}}.`);
  }
  return Object.entries(parsed as Record<string, Record<string, unknown>>).map(([name, pool]) => ({
    name,
    slots: parseSlots(pool?.slots, `${path}, pool "${name}"`),
    description: typeof pool?.description === 'string' ? pool.description : null,
    include_deferred: pool?.include_deferred === true,
  }));
}

export function registerPoolsCommands(program: Command, io: CliIo = defaultCliIo): void {
  const pools = program.command('pools').description('Manage pools: named numbers of slots that limit how many tasks run at once');

  outputOption(pools.command('list').description('List the pools and their slot usage').addHelpText('after', examples('pools list', 'pools list -o json'))).action(
    async (options: { output: string }, command: Command) => {
      const format = formatOf(options);
      await withApi(command, io, async ({ client }) => print(await client.listAll<PoolJson>(POOLS, 'pools'), format, io));
    },
  );

  outputOption(pools.command('get <name>').description('Show one pool').addHelpText('after', examples('pools get default_pool'))).action(
    async (name: string, options: { output: string }, command: Command) => {
      const format = formatOf(options);
      await withApi(command, io, async ({ client }) => print([await client.request<PoolJson>('GET', `${POOLS}/${seg(name)}`)], format, io));
    },
  );

  outputOption(
    pools
      .command('set <name> <slots> <description>')
      .description('Create a pool, or change its slots and description')
      .option('--include-deferred', 'count deferred task instances against the slots')
      .addHelpText('after', examples("pools set warehouse 4 'At most 4 queries on the warehouse'", "pools set unlimited -1 ''")),
  ).action(async (name: string, slots: string, description: string, options: { includeDeferred?: boolean; output: string }, command: Command) => {
    const format = formatOf(options);
    const settings = { slots: parseSlots(slots, 'slots'), description, include_deferred: Boolean(options.includeDeferred) };
    await withApi(command, io, async ({ client }) => print([await setPool(client, name, settings)], format, io));
  });

  outputOption(pools.command('delete <name>').description('Delete a pool').addHelpText('after', examples('pools delete warehouse'))).action(
    async (name: string, options: { output: string }, command: Command) => {
      const format = formatOf(options);
      await withApi(command, io, async ({ client }) => {
        const pool = await client.request<PoolJson>('GET', `${POOLS}/${seg(name)}`);
        await client.request('DELETE', `${POOLS}/${seg(name)}`);
        print([pool], format, io);
      });
    },
  );

  pools
    .command('import <file>')
    .description('Create or change the pools of a JSON file (the format `pools export` writes)')
    .addHelpText('after', `${examples('pools import pools.json')}\n\nFile format: {"warehouse": {"slots": 4, "description": "...", "include_deferred": false}}`)
    .action(async (file: string, _options: unknown, command: Command) => {
      const entries = parsePoolsFile(await io.readFile(file), file);
      await withApi(command, io, async ({ client }) => {
        for (const { name, ...settings } of entries) await setPool(client, name, settings);
      });
      io.stdout.write(`Uploaded ${entries.length} pool(s) from ${file}.\n`);
    });

  pools
    .command('export <file>')
    .description('Write every pool to a JSON file (the format `pools import` reads)')
    .addHelpText('after', examples('pools export pools.json'))
    .action(async (file: string, _options: unknown, command: Command) => {
      const all = await withApi(command, io, ({ client }) => client.listAll<PoolJson>(POOLS, 'pools'));
      const content = Object.fromEntries(all.map((pool) => [pool.name, { slots: pool.slots, description: pool.description, include_deferred: pool.include_deferred }]));
      await io.writeFile(file, `${JSON.stringify(content, null, 4)}\n`);
      io.stdout.write(`Exported ${all.length} pool(s) to ${file}.\n`);
    });
}
