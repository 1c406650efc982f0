import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../../../src/aws/clients.ts';
import type { SerializedDag } from '../../../../src/core/model/serialized-dag.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import type { Logger } from '../../../../src/core/ports/logger.ts';
import type { ServedApi } from '../../../../src/http/execution-api/index.ts';
import { DagVersionCache } from '../../../../src/services/dag-version-cache.ts';
import { TaskTokens } from '../../../../src/services/execution/task-tokens.ts';
import { EnvironmentSecretsBackend, SecretsService } from '../../../../src/services/secrets/index.ts';
import type { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { createEmulatorStorage, type EmulatorStorage } from '../../../support/emulator-storage.ts';
import { drainQueue } from '../../../support/sqs-messages.ts';
import { bundleDagFile, serveTestExecutionApi } from '../bundled-dag-harness.ts';

/**
 * What the DAG-run and task callback tests share: emulator storage, a task queue, a test DAG file bundled
 * and stored, the real Execution API (with the test's clock and a variable the callbacks read), and a
 * logger whose lines the test can look at.
 */
export interface CallbackHarness {
  storage: EmulatorStorage;
  sqs: ReturnType<typeof createSqsClient>;
  queueUrl: string;
  clock: ManualClock;
  tokens: TaskTokens;
  dagVersions: DagVersionCache;
  served: ServedApi;
  bundleLoader: BundleLoader;
  serialized: SerializedDag;
  /** Lines logged through `logger()`, by level; emptied by the test as it needs. */
  logged: Array<{ level: string; message: string }>;
  logger(): Logger;
  /** Every message on the task queue, each deleted once read. */
  drainQueue(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createCallbackHarness(options: { name: string; dagSource: string; versionId: string; start: Date }): Promise<CallbackHarness> {
  const storage = await createEmulatorStorage(options.name);
  const sqs = createSqsClient(emulatorClientOptions());
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(options.name) }))).QueueUrl!;
  const clock = new ManualClock(options.start.toISOString());
  const tokens = new TaskTokens(`${options.name}-test-secret-0123456789abcdef`, clock);
  const bundle = await bundleDagFile(storage, options.dagSource, { versionId: options.versionId, now: options.start });
  const dagVersions = new DagVersionCache(storage.metastore);
  const logged: CallbackHarness['logged'] = [];
  const logger = (): Logger => {
    const at = (level: string) => (message: string) => void logged.push({ level, message });
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  };
  // The token a callback carries is checked by the real Execution API (with the test's clock).
  const served = await serveTestExecutionApi(storage, tokens, {
    clock,
    logger: logger(),
    dagVersions,
    heartbeatIntervalSeconds: 30,
    secrets: new SecretsService([new EnvironmentSecretsBackend({ UPDRAFT_VAR_OWNER_TEAM: 'data-eng' })]),
  });
  return {
    storage,
    sqs,
    queueUrl,
    clock,
    tokens,
    dagVersions,
    served,
    bundleLoader: bundle.bundleLoader,
    serialized: bundle.dag,
    logged,
    logger,
    drainQueue: () => drainQueue(sqs, queueUrl),
    async close() {
      await served.close();
      sqs.destroy();
      storage.close();
    },
  };
}
