import type { TestProject } from 'vitest/node';
import { startEmulators, type LocalEndpoints } from '../../src/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: LocalEndpoints;
  }
}

/**
 * Starts DynamoDB Local and fauxqs once for the whole test run. Test files share them and keep apart by
 * using their own table prefix, queue names and key prefixes (see `test/support/aws.ts`).
 */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emulators = await startEmulators();
  project.provide('endpoints', emulators.endpoints);
  return async () => {
    await emulators.stop();
  };
}
