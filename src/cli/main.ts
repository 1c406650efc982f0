import { Command, CommanderError } from 'commander';
import { UpdraftError } from '../core/errors.ts';
import { loadLocalConfig } from '../local/local-config.ts';
import { runStandalone } from '../local/standalone.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDagsCommands } from './commands/dags.ts';
import { registerTasksCommands } from './commands/tasks.ts';
import { CliUsageError } from './output.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `updraft dags list | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('updraft')
  .description('Updraft: Airflow semantics, serverless on AWS. Runs locally on embedded emulators.')
  .exitOverride()
  .showHelpAfterError();

program
  .command('standalone')
  .description('Run all of Updraft locally: emulators, DAG processor, scheduler, Execution API and workers')
  .option('--dags-folder <dir>', 'folder with the DAG files (default: UPDRAFT_DAGS_FOLDER or ./dags)')
  .option('--workers <n>', 'number of local worker processes')
  .action(async (options: { dagsFolder?: string; workers?: string }) => {
    await runStandalone(loadLocalConfig({ dagsFolder: options.dagsFolder, workers: options.workers }));
  });

registerDagsCommands(program);
registerTasksCommands(program);
registerConfigCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof CliUsageError) {
    process.stderr.write(`Error: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof UpdraftError) {
    process.stderr.write(`Error: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}
