import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { createS3Client } from '../../aws/clients.ts';
import { S3ObjectStore } from '../../aws/s3/object-store.ts';
import { DAG_PREFIX } from '../../core/model/bucket-layout.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { isIgnored } from '../../local/dag-folder-sync.ts';
import { CliUsageError, parseOutputFormat } from '../output.ts';

/** A file of the local DAG folder; `path` is relative to the folder, with `/` separators. */
export interface LocalDagFile {
  path: string;
  size: number;
  md5: string;
}

/**
 * An object under the prefix; `path` is its key without the prefix. `md5` is known only when the
 * object was read (ObjectStore.list gives no ETag), which the command does only when the sizes match.
 */
export interface RemoteDagObject {
  path: string;
  size: number;
  md5?: string;
}

export interface DagSyncPlan {
  added: string[];
  changed: string[];
  /** Objects the folder no longer has, deleted because `--delete` was given. */
  deleted: string[];
  /** Objects the folder no longer has, kept because `--delete` was not given. */
  remaining: string[];
  unchanged: string[];
}

/**
 * What a sync changes. A file is unchanged only when size and MD5 both match; an object of the same
 * size whose content was not read counts as changed, so uploading it again is the worst case.
 */
export function planDagSync(
  local: readonly LocalDagFile[],
  remote: readonly RemoteDagObject[],
  options: { delete?: boolean } = {},
): DagSyncPlan {
  const remoteByPath = new Map(remote.map((object) => [object.path, object]));
  const localPaths = new Set(local.map((file) => file.path));
  const plan: DagSyncPlan = { added: [], changed: [], deleted: [], remaining: [], unchanged: [] };
  for (const file of local) {
    const object = remoteByPath.get(file.path);
    if (!object) plan.added.push(file.path);
    else if (object.size === file.size && object.md5 === file.md5) plan.unchanged.push(file.path);
    else plan.changed.push(file.path);
  }
  for (const object of remote) {
    if (localPaths.has(object.path)) continue;
    (options.delete ? plan.deleted : plan.remaining).push(object.path);
  }
  for (const list of Object.values(plan)) list.sort();
  return plan;
}

/** Remote objects whose content must be read to tell unchanged from changed: same path and same size. */
export function objectsToCompare(local: readonly LocalDagFile[], remote: readonly RemoteDagObject[]): string[] {
  const sizes = new Map(local.map((file) => [file.path, file.size]));
  return remote.filter((object) => object.md5 === undefined && sizes.get(object.path) === object.size).map((object) => object.path);
}

/** Seams for tests; by default the real process streams, environment and S3 client. */
export interface DagsDeployIo {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  env?: Record<string, string | undefined>;
  cwd?: () => string;
  /** Wraps the store, e.g. to inject a fault; the store itself is always the real S3 one. */
  wrapObjectStore?: (store: ObjectStore) => ObjectStore;
  setExitCode?: (code: number) => void;
}

interface DeployOptions {
  bucket?: string;
  prefix: string;
  delete?: boolean;
  dryRun?: boolean;
  output: string;
}

const BUCKET_HINT =
  'Pass --bucket NAME or set UPDRAFT_BUCKET to the stack output BucketName, e.g.\n' +
  '  aws cloudformation describe-stacks --stack-name updraft-<stage> ' +
  `--query "Stacks[0].Outputs[?OutputKey=='BucketName'].OutputValue" --output text`;

// Reads and writes at a time: enough to hide S3 latency, few enough for a laptop's connection.
const CONCURRENCY = 8;

const CONTENT_TYPES: Record<string, string> = {
  '.ts': 'text/typescript; charset=utf-8',
  '.mts': 'text/typescript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
};

export function registerDagsDeployCommand(dags: Command, io: DagsDeployIo = {}): void {
  dags
    .command('deploy [dir]')
    .description('Upload a DAG folder to the deployed bucket: add new files, replace changed ones, and with --delete remove the rest')
    .option('--bucket <name>', 'the stack output BucketName (default: UPDRAFT_BUCKET)')
    .option('--prefix <prefix>', 'key prefix of the DAG files in the bucket', DAG_PREFIX)
    .option('--delete', 'delete objects under the prefix that the folder no longer has')
    .option('--dry-run', 'print what would change and change nothing')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ export UPDRAFT_BUCKET=$(aws cloudformation describe-stacks --stack-name updraft-dev \\',
        `      --query "Stacks[0].Outputs[?OutputKey=='BucketName'].OutputValue" --output text)`,
        '  $ updraft dags deploy --dry-run',
        '  $ updraft dags deploy ./dags --delete',
        '',
        'DIR defaults to ./dags. node_modules, .git and dot-files are not uploaded. Files are compared by',
        'content, so unchanged files are not uploaded again and raise no DAG processing. AWS credentials and',
        'region come from the usual AWS environment (AWS_PROFILE, AWS_REGION, ...).',
      ].join('\n'),
    )
    .action(async (dir: string | undefined, options: DeployOptions) => {
      await deployDags(dir, options, io);
    });
}

async function deployDags(dir: string | undefined, options: DeployOptions, io: DagsDeployIo): Promise<void> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const format = parseOutputFormat(options.output);
  const bucket = parseBucket(options.bucket ?? env.UPDRAFT_BUCKET);
  const prefix = parsePrefix(options.prefix);
  const folder = resolve(io.cwd?.() ?? process.cwd(), dir ?? 'dags');
  await requireFolder(folder, dir);
  if (prefix !== DAG_PREFIX) stderr.write(`Note: the DAG processor reads only ${DAG_PREFIX}; files under ${prefix} are not parsed as DAGs.\n`);

  const client = createS3Client({}, env);
  await requireRegion(client);
  const real = new S3ObjectStore({ client, bucket });
  const store = io.wrapObjectStore ? io.wrapObjectStore(real) : real;

  const local = await listLocalFolder(folder);
  const remote = (await store.list(prefix))
    .map((object) => ({ path: object.key.slice(prefix.length), size: object.size }) as RemoteDagObject)
    // A key ending in `/` is a console-made folder marker, not a file.
    .filter((object) => object.path !== '' && !object.path.endsWith('/'));
  const toCompare = new Set(objectsToCompare(local, remote));
  await forEachLimited(
    remote.filter((object) => toCompare.has(object.path)),
    async (object) => {
      const content = await store.get(prefix + object.path);
      if (content !== null) object.md5 = md5(content);
    },
  );
  const plan = planDagSync(local, remote, { delete: options.delete });
  // An empty folder is far more often a wrong DIR than a wish to remove every DAG.
  if (local.length === 0 && plan.deleted.length > 0 && !options.dryRun) {
    throw new CliUsageError(
      `${folder} has no files to deploy, so --delete would delete all ${plan.deleted.length} objects under ${prefix}. ` +
        `Check DIR; to remove every DAG, use: aws s3 rm s3://${bucket}/${prefix} --recursive`,
    );
  }

  const result: DeployResult = { uploadFailures: [], deleteFailures: [], deletionsSkipped: false };
  if (!options.dryRun) await applyPlan(plan, { folder, prefix, store, progress: stdout.isTTY ? stderr : null }, result);

  if (format === 'json') {
    const failedPaths = new Set([...result.uploadFailures, ...result.deleteFailures].map((failure) => failure.path));
    const ok = (paths: string[]) => paths.filter((path) => !failedPaths.has(path));
    stdout.write(
      `${JSON.stringify({
        bucket,
        prefix,
        added: ok(plan.added),
        changed: ok(plan.changed),
        deleted: result.deletionsSkipped ? [] : ok(plan.deleted),
        unchanged: plan.unchanged.length,
        remaining: plan.remaining,
        failed: [...result.uploadFailures, ...result.deleteFailures],
        dryRun: Boolean(options.dryRun),
      })}\n`,
    );
  } else {
    printReport(stdout, stderr, { target: `s3://${bucket}/${prefix}`, plan, result, dryRun: Boolean(options.dryRun) });
  }
  if (result.uploadFailures.length + result.deleteFailures.length > 0) (io.setExitCode ?? ((code) => (process.exitCode = code)))(1);
}

interface Failure {
  path: string;
  error: string;
}

interface DeployResult {
  uploadFailures: Failure[];
  deleteFailures: Failure[];
  deletionsSkipped: boolean;
}

/** Uploads, then deletes; a failure is recorded and the others go on. */
async function applyPlan(
  plan: DagSyncPlan,
  target: { folder: string; prefix: string; store: ObjectStore; progress: NodeJS.WritableStream | null },
  result: DeployResult,
): Promise<void> {
  const { folder, prefix, store, progress } = target;
  const uploads = [...plan.added, ...plan.changed];
  let done = 0;
  await forEachLimited(uploads, async (path) => {
    try {
      const content = await readFile(join(folder, path));
      await store.put(prefix + path, content, CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
      progress?.write(`uploaded ${++done}/${uploads.length} ${path}\n`);
    } catch (error) {
      result.uploadFailures.push({ path, error: describe(error) });
    }
  });
  // Deleting after a failed upload could remove a DAG whose new file never arrived (a moved file).
  if (result.uploadFailures.length > 0) {
    result.deletionsSkipped = plan.deleted.length > 0;
  } else {
    await forEachLimited(plan.deleted, async (path) => {
      try {
        await store.delete(prefix + path);
      } catch (error) {
        result.deleteFailures.push({ path, error: describe(error) });
      }
    });
  }
  for (const failures of [result.uploadFailures, result.deleteFailures]) failures.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function printReport(
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  report: { target: string; plan: DagSyncPlan; result: DeployResult; dryRun: boolean },
): void {
  const { plan, result, dryRun } = report;
  const lines: string[] = [];
  for (const path of plan.added) lines.push(`+ ${path}`);
  for (const path of plan.changed) lines.push(`~ ${path}`);
  for (const path of plan.deleted) lines.push(`- ${path}`);
  for (const path of plan.remaining) lines.push(`  ${path} (not in the folder; remains, pass --delete to delete it)`);
  lines.push(`= ${plan.unchanged.length} unchanged`);
  stdout.write(`${dryRun ? 'Dry run, nothing is changed: ' : ''}${report.target}\n${lines.join('\n')}\n`);

  for (const failure of result.uploadFailures) stderr.write(`Error: ${failure.path} was not uploaded: ${failure.error}\n`);
  for (const failure of result.deleteFailures) stderr.write(`Error: ${failure.path} was not deleted: ${failure.error}\n`);
  if (result.deletionsSkipped) {
    stderr.write('Deleted nothing because an upload failed (a moved DAG would otherwise disappear). Fix the error and run again.\n');
  }
  const failedUploads = new Set(result.uploadFailures.map((failure) => failure.path));
  const succeeded = (paths: string[]) => paths.filter((path) => !failedUploads.has(path)).length;
  const deleted = result.deletionsSkipped ? 0 : plan.deleted.length - result.deleteFailures.length;
  const counts = dryRun
    ? [`${plan.added.length} to add`, `${plan.changed.length} to change`, `${plan.deleted.length} to delete`]
    : [`${succeeded(plan.added)} added`, `${succeeded(plan.changed)} changed`, `${deleted} deleted`];
  counts.push(`${plan.unchanged.length} unchanged`);
  if (plan.remaining.length > 0) counts.push(`${plan.remaining.length} remaining`);
  if (result.uploadFailures.length > 0) counts.push(`${result.uploadFailures.length} failed to upload`);
  if (result.deleteFailures.length > 0) counts.push(`${result.deleteFailures.length} failed to delete`);
  const failed = result.uploadFailures.length + result.deleteFailures.length > 0;
  stdout.write(`${dryRun ? 'Would deploy' : failed ? 'Deployed with errors' : 'Deployed'}: ${counts.join(', ')}.\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The SDK would report a missing region as a failed S3 call, which reads like a missing bucket. */
async function requireRegion(client: S3Client): Promise<void> {
  const region = await client.config.region().catch(() => undefined);
  if (!region) throw new CliUsageError('No AWS region. Set AWS_REGION (e.g. AWS_REGION=eu-west-1) or use an AWS_PROFILE that has one.');
}

function parseBucket(value: string | undefined): string {
  const bucket = value?.trim();
  if (!bucket) throw new CliUsageError(`No bucket to deploy to. ${BUCKET_HINT}`);
  if (bucket.startsWith('s3://')) {
    throw new CliUsageError(`--bucket takes the bucket name alone, e.g. --bucket ${bucket.slice(5).split('/')[0]}, not the URL "${bucket}".`);
  }
  return bucket;
}

function parsePrefix(value: string): string {
  const prefix = value.replace(/^\/+/, '');
  // An empty prefix would make the sync (and --delete) cover the whole bucket: bundles, logs, XComs.
  if (prefix === '') throw new CliUsageError(`--prefix must name a folder of the bucket, e.g. --prefix ${DAG_PREFIX}, not "${value}".`);
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

async function requireFolder(folder: string, given: string | undefined): Promise<void> {
  const info = await stat(folder).catch(() => null);
  if (info?.isDirectory()) return;
  const what = given === undefined ? `The default DAG folder ${folder}` : `${folder}`;
  throw new CliUsageError(
    `${what} ${info ? 'is not a folder' : 'does not exist'}. Pass the folder with your DAG files: updraft dags deploy path/to/dags`,
  );
}

/** Every file of the folder except the ones local mode ignores, walked without entering ignored folders. */
async function listLocalFolder(folder: string): Promise<LocalDagFile[]> {
  const files: LocalDagFile[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(join(folder, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (isIgnored(path)) continue;
      if (entry.isDirectory()) await walk(path);
      // A linked file is uploaded with the target's content; a linked folder is not entered (it may loop).
      else if (entry.isFile() || (entry.isSymbolicLink() && (await stat(join(folder, path)).catch(() => null))?.isFile())) {
        const content = await readFile(join(folder, path));
        files.push({ path, size: content.byteLength, md5: md5(content) });
      }
    }
  };
  await walk('');
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function md5(content: Uint8Array): string {
  return createHash('md5').update(content).digest('hex');
}

async function forEachLimited<T>(items: readonly T[], action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await action(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}
