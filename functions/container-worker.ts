/**
 * The fargate executor's container command (`node /app/container-worker.mjs`): runs the one attempt
 * its environment describes and exits with the code ECS reports back to the executor. Locally, the
 * fargate executor runs this file as a child process.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { runContainerWorkload } from '../src/services/task-runner/container-entry.ts';

// In the image the Python client sits next to the bundle (scripts/build-container.ts copies it there);
// from a checkout the runner's own default (sdk/python of the repository) applies.
const packagedClient = fileURLToPath(new URL('./sdk/python/updraft_task.py', import.meta.url));

const code = await runContainerWorkload(process.env, {
  logger: fromPowertools(new Logger({ serviceName: 'updraft-container-worker' })),
  python: existsSync(packagedClient) ? { clientPath: packagedClient } : undefined,
});
process.exit(code);
