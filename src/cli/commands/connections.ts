import type { Command } from 'commander';
import { InvalidConnectionError, parseConnectionJson, parseConnectionUri, type Connection } from '../../core/model/connection.ts';
import { API, defaultCliIo, examples, formatOf, outputOption, seg, withApi, type CliIo } from '../command-support.ts';
import { CliUsageError, printRows, type OutputFormat } from '../output.ts';

interface ConnectionJson {
  connection_id: string;
  conn_type: string;
  description: string | null;
  host: string | null;
  login: string | null;
  schema: string | null;
  port: number | null;
  password: string | null;
  extra: string | null;
}

const CONNECTIONS = `${API}/connections`;

interface AddOptions {
  connUri?: string;
  connJson?: string;
  connType?: string;
  connHost?: string;
  connLogin?: string;
  connPassword?: string;
  connSchema?: string;
  connPort?: string;
  connExtra?: string;
  connDescription?: string;
}

/** The connection from exactly one of --conn-uri, --conn-json or --conn-type with its parts. */
function connectionOf(connId: string, options: AddOptions): Connection {
  const forms = [options.connUri, options.connJson, options.connType].filter((form) => form !== undefined);
  if (forms.length !== 1) throw new CliUsageError('Give exactly one of --conn-uri, --conn-json or --conn-type (with --conn-host, --conn-login...).');
  try {
    if (options.connUri !== undefined) return parseConnectionUri(connId, options.connUri);
    if (options.connJson !== undefined) return parseConnectionJson(connId, options.connJson);
    return parseConnectionJson(connId, {
      conn_type: options.connType,
      host: options.connHost,
      login: options.connLogin,
      password: options.connPassword,
      schema: options.connSchema,
      port: options.connPort === undefined ? undefined : Number(options.connPort),
      extra: options.connExtra,
    });
  } catch (error) {
    if (error instanceof InvalidConnectionError) throw new CliUsageError(error.message);
    throw error;
  }
}

function print(connections: ConnectionJson[], format: OutputFormat, io: CliIo): void {
  printRows(
    connections.map((connection) => ({
      conn_id: connection.connection_id,
      conn_type: connection.conn_type,
      description: connection.description,
      host: connection.host,
      port: connection.port,
      login: connection.login,
      schema: connection.schema,
      // The API never answers a password in clear; say whether one is set.
      password: connection.password ? '***' : null,
      extra: connection.extra,
    })),
    format,
    io.stdout,
  );
}

export function registerConnectionsCommands(program: Command, io: CliIo = defaultCliIo): void {
  const connections = program.command('connections').description('Manage connections: how DAGs reach other systems');

  outputOption(connections.command('list').description('List the connections (passwords are never shown)').addHelpText('after', examples('connections list', 'connections list -o yaml'))).action(
    async (options: { output: string }, command: Command) => {
      const format = formatOf(options);
      await withApi(command, io, async ({ client }) => print(await client.listAll<ConnectionJson>(CONNECTIONS, 'connections'), format, io));
    },
  );

  outputOption(connections.command('get <conn_id>').description('Show one connection').addHelpText('after', examples('connections get warehouse'))).action(
    async (connId: string, options: { output: string }, command: Command) => {
      const format = formatOf(options);
      await withApi(command, io, async ({ client }) => print([await client.request<ConnectionJson>('GET', `${CONNECTIONS}/${seg(connId)}`)], format, io));
    },
  );

  connections
    .command('add <conn_id>')
    .description('Add a connection, given as a URI, as JSON, or part by part')
    .option('--conn-uri <uri>', "Airflow's URI form: type://login:password@host:port/schema?extra_key=value")
    .option('--conn-json <json>', 'JSON: {"conn_type": "...", "host": "...", "extra": {...}}')
    .option('--conn-type <type>', 'connection type (with the --conn-* parts below)')
    .option('--conn-host <host>', 'host')
    .option('--conn-login <login>', 'login')
    .option('--conn-password <password>', 'password')
    .option('--conn-schema <schema>', 'schema')
    .option('--conn-port <port>', 'port')
    .option('--conn-extra <json>', 'extra, a JSON object')
    .option('--conn-description <text>', 'what the connection is for')
    .addHelpText(
      'after',
      examples(
        "connections add warehouse --conn-uri 'postgres://etl:s3cret@db.example.com:5432/analytics'",
        "connections add api --conn-type http --conn-host https://api.example.com --conn-extra '{\"timeout\": 30}'",
        'connections add s3 --conn-json \'{"conn_type": "aws", "extra": {"region_name": "eu-west-1"}}\'',
      ),
    )
    .action(async (connId: string, options: AddOptions, command: Command) => {
      const connection = connectionOf(connId, options);
      await withApi(command, io, async ({ client }) =>
        client.request('POST', CONNECTIONS, {
          body: {
            connection_id: connId,
            conn_type: connection.connType,
            description: options.connDescription ?? null,
            host: connection.host,
            login: connection.login,
            schema: connection.schema,
            port: connection.port,
            password: connection.password,
            extra: Object.keys(connection.extra).length > 0 ? JSON.stringify(connection.extra) : null,
          },
        }),
      );
      io.stdout.write(`Successfully added \`conn_id\`=${connId} : ${connection.connType}://${connection.host ?? ''}${connection.port ? `:${connection.port}` : ''}\n`);
    });

  connections
    .command('delete <conn_id>')
    .description('Delete a connection')
    .addHelpText('after', examples('connections delete warehouse'))
    .action(async (connId: string, _options: unknown, command: Command) => {
      await withApi(command, io, async ({ client }) => client.request('DELETE', `${CONNECTIONS}/${seg(connId)}`));
      io.stdout.write(`Successfully deleted connection with \`conn_id\`=${connId}\n`);
    });
}
