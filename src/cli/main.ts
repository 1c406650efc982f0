import { Command } from 'commander';
import { loadLocalConfig } from '../local/local-config.ts';
import { runStandalone } from '../local/standalone.ts';
import { addApiOptions } from './command-support.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerConnectionsCommands } from './commands/connections.ts';
import { registerDagsCommands } from './commands/dags.ts';
import { registerInfoCommand } from './commands/info.ts';
import { registerPoolsCommands } from './commands/pools.ts';
import { registerTasksCommands } from './commands/tasks.ts';
import { registerUsersCommands } from './commands/users.ts';
import { registerVariablesCommands } from './commands/variables.ts';
import { errorMessageFor, exitCodeFor } from './exit-codes.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `updraft dags list | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('updraft')
  .description('Updraft: Airflow semantics, serverless on AWS. Runs locally on embedded emulators.')
  .exitOverride()
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nWith --api-url (or UPDRAFT_API_URL) commands go to that REST API; without, to local mode\'s state in ./.updraft.\n' +
      'Exit codes: 0 ok, 1 failed, 2 usage error, 3 not found, 4 not authenticated or not allowed, 5 API unreachable.',
  );
addApiOptions(program);

program
  .command('standalone')
  .description('Run all of Updraft locally: emulators, DAG processor, scheduler, Execution API and workers (local only: ignores --api-url)')
  .option('--dags-folder <dir>', 'folder with the DAG files (default: UPDRAFT_DAGS_FOLDER or ./dags)')
  .option('--workers <n>', 'number of local worker processes')
  .action(async (options: { dagsFolder?: string; workers?: string }) => {
    await runStandalone(loadLocalConfig({ dagsFolder: options.dagsFolder, workers: options.workers }));
  });

registerDagsCommands(program);
registerTasksCommands(program);
registerUsersCommands(program);
registerConfigCommands(program);
registerPoolsCommands(program);
registerVariablesCommands(program);
registerConnectionsCommands(program);
registerInfoCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = errorMessageFor(error);
  if (message !== null) process.stderr.write(`${message}\n`);
  process.exit(exitCodeFor(error));
}
