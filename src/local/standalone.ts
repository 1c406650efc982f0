import { existsSync, mkdirSync } from 'node:fs';
import { jsonLineLogger } from '../core/ports/logger.ts';
import { ConfigError } from '../core/errors.ts';
import type { LocalConfig } from './local-config.ts';
import { LocalStack } from './local-stack.ts';
import { claimStandalone, releaseStandalone, writeStandaloneState } from './standalone-state.ts';

/**
 * `updraft standalone`: the whole of Updraft on this machine until Ctrl-C. State (DynamoDB data, S3
 * objects, the token key) persists under the home folder, so a restart carries on where it stopped.
 */
export async function runStandalone(config: LocalConfig, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!existsSync(config.dagsFolder)) {
    throw new ConfigError(
      `The DAGs folder ${config.dagsFolder} does not exist. Create it, or point --dags-folder (or UPDRAFT_DAGS_FOLDER) at your DAGs.`,
    );
  }
  mkdirSync(config.home, { recursive: true });
  const startedAt = new Date().toISOString();
  const running = claimStandalone(config.home, { pid: process.pid, startedAt });
  if (running) {
    throw new ConfigError(
      `Updraft is already running locally (pid ${running.pid}, state in ${config.home}). Stop it with Ctrl-C ` +
        'in its terminal, or pick another state folder with UPDRAFT_HOME.',
    );
  }
  const logger = jsonLineLogger({ service: 'standalone' }, config.logLevel);
  const say = (line: string) => out.write(`${line}\n`);

  say('Starting Updraft locally…');
  let stack: LocalStack;
  try {
    stack = await LocalStack.start({
      home: config.home,
      dagsFolder: config.dagsFolder,
      workers: config.workers,
      executionApiPort: config.executionApiPort,
      restApiPort: config.restApiPort,
      logger,
    });
  } catch (error) {
    releaseStandalone(config.home);
    throw error;
  }
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      say(`\n${signal} received: stopping (finishing the current tick, stopping workers and emulators)…`);
      await stack.stop();
      releaseStandalone(config.home);
      say('Stopped. State is kept in ' + config.home);
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('Ctrl-C'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  writeStandaloneState(config.home, {
    pid: process.pid,
    startedAt,
    endpoints: stack.emulators.endpoints,
    executionApiUrl: stack.executionApiUrl,
    restApiUrl: stack.restApiUrl,
  });
  const synced = await stack.dagSync.syncAll();
  stack.dagSync.watch();
  stack.startTicking(config.tickIntervalMs);

  const errors = await stack.metastore.listImportErrors();
  const dags = (await stack.metastore.listDags()).filter((dag) => dag.isActive);
  say('');
  say('Updraft is running locally.');
  say(`  DAGs folder     ${config.dagsFolder} (watched; ${synced.uploaded.length} file(s) uploaded)`);
  say(`  DAGs            ${dags.length ? dags.map((dag) => dag.dagId).join(', ') : '(none yet)'}`);
  if (errors.length > 0) say(`  Import errors   ${errors.map((error) => error.fileloc).join(', ')} (updraft dags list-import-errors)`);
  say(`  State           ${config.home}`);
  say(`  DynamoDB Local  ${stack.emulators.endpoints.dynamodb}`);
  say(`  SQS and S3      ${stack.emulators.endpoints.sqs} (fauxqs)`);
  say(`  Execution API   ${stack.executionApiUrl}`);
  say(`  REST API        ${stack.restApiUrl}/api/v2 (token: POST ${stack.restApiUrl}/auth/token)`);
  if (stack.adminPassword) {
    say(`  Admin user      admin, password ${stack.adminPassword}`);
    say('                  (shown this once: it is stored hashed; add users with `updraft users create`)');
  }
  say(`  Scheduler       a tick every ${config.tickIntervalMs} ms`);
  say(`  Workers         ${config.workers} process(es) on the task queue`);
  say('');
  say('Try: npx updraft dags list · npx updraft dags trigger <dag_id> · npx updraft tasks states-for-dag-run <dag_id> <run_id>');
  say('Press Ctrl-C to stop.');
}
