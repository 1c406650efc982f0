import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3/object-store.ts';
import { registerDagsDeployCommand, type DagsDeployIo } from '../../../src/cli/commands/dags-deploy.ts';
import { CliUsageError } from '../../../src/cli/output.ts';
import type { ObjectStore } from '../../../src/core/ports/object-store.ts';
import { emulatorClientOptions, uniqueName } from '../../support/aws.ts';

interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function sink(onText: (text: string) => void, isTTY = false): NodeJS.WritableStream & { isTTY?: boolean } {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      onText(chunk.toString());
      callback();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return stream;
}

/** Runs `updraft dags deploy ...` through commander, as main.ts does, with the process's AWS environment. */
async function deploy(args: string[], options: { cwd: string; tty?: boolean; wrapObjectStore?: DagsDeployIo['wrapObjectStore'] }): Promise<Outcome> {
  const outcome: Outcome = { stdout: '', stderr: '', exitCode: 0 };
  const program = new Command('updraft').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  const dags = program.command('dags');
  registerDagsDeployCommand(dags, {
    stdout: sink((text) => (outcome.stdout += text), options.tty),
    stderr: sink((text) => (outcome.stderr += text)),
    cwd: () => options.cwd,
    wrapObjectStore: options.wrapObjectStore,
    setExitCode: (code) => (outcome.exitCode = code),
  });
  await program.parseAsync(['node', 'updraft', 'dags', 'deploy', ...args]);
  return outcome;
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('updraft dags deploy', () => {
  const endpoints = emulatorClientOptions();
  const client = createS3Client(endpoints);
  const bucket = uniqueName('dags-deploy');
  const store = new S3ObjectStore({ client, bucket });
  const savedEnv = { ...process.env };
  let project: string;

  const keys = async (prefix = 'dags/') => (await store.list(prefix)).map((object) => object.key);

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  beforeEach(async () => {
    // The command builds its own client from the SDK's standard environment, as it does for a user.
    process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3Endpoint;
    process.env.AWS_ACCESS_KEY_ID = endpoints.credentials!.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = endpoints.credentials!.secretAccessKey;
    process.env.AWS_REGION = endpoints.region;
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.UPDRAFT_BUCKET;
    project = await mkdtemp(join(tmpdir(), 'updraft-deploy-'));
  });

  afterEach(async () => {
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
    await rm(project, { recursive: true, force: true });
  });

  afterAll(() => client.destroy());

  it('uploads every file on the first deploy, then reports them unchanged', async () => {
    const prefix = `${uniqueName('first')}/`;
    await writeFiles(project, { 'dags/etl.ts': 'export const a = 1;\n', 'dags/lib/helpers.ts': 'export const h = 2;\n' });

    const first = await deploy(['--bucket', bucket, '--prefix', prefix], { cwd: project });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe(
      [`s3://${bucket}/${prefix}`, '+ etl.ts', '+ lib/helpers.ts', '= 0 unchanged', 'Deployed: 2 added, 0 changed, 0 deleted, 0 unchanged.', ''].join('\n'),
    );
    expect(await keys(prefix)).toEqual([`${prefix}etl.ts`, `${prefix}lib/helpers.ts`]);
    expect(await store.getText(`${prefix}lib/helpers.ts`)).toBe('export const h = 2;\n');

    const second = await deploy(['--bucket', bucket, '--prefix', prefix], { cwd: project });
    expect(second.stdout).toBe([`s3://${bucket}/${prefix}`, '= 2 unchanged', 'Deployed: 0 added, 0 changed, 0 deleted, 2 unchanged.', ''].join('\n'));
  });

  it('replaces an edited file and keeps a removed one until --delete, taking the bucket from UPDRAFT_BUCKET', async () => {
    const prefix = `${uniqueName('edit')}/`;
    process.env.UPDRAFT_BUCKET = bucket;
    const folder = join(project, 'my-dags');
    await writeFiles(folder, { 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 1;\n', 'c.ts': 'export const c = 1;\n' });
    await deploy(['my-dags', '--prefix', prefix], { cwd: project });

    // Same size, other content: only a content comparison can see the change.
    await writeFile(join(folder, 'a.ts'), 'export const a = 2;\n');
    await unlink(join(folder, 'b.ts'));
    const kept = await deploy(['my-dags', '--prefix', prefix, '-o', 'json'], { cwd: project });
    expect(JSON.parse(kept.stdout)).toEqual({
      bucket,
      prefix,
      added: [],
      changed: ['a.ts'],
      deleted: [],
      unchanged: 1,
      remaining: ['b.ts'],
      failed: [],
      dryRun: false,
    });
    expect(await store.getText(`${prefix}a.ts`)).toBe('export const a = 2;\n');
    expect(await keys(prefix)).toContain(`${prefix}b.ts`);

    const deleted = await deploy([folder, '--prefix', prefix, '--delete'], { cwd: '/' });
    expect(deleted.stdout).toContain('\n- b.ts\n= 2 unchanged\n');
    expect(deleted.stdout).toContain('Deployed: 0 added, 0 changed, 1 deleted, 2 unchanged.');
    expect(await keys(prefix)).toEqual([`${prefix}a.ts`, `${prefix}c.ts`]);
  });

  it('prints the plan of a dry run and changes nothing', async () => {
    const prefix = `${uniqueName('dry')}/`;
    await store.put(`${prefix}old.ts`, 'export const old = 1;\n');
    await store.put(`${prefix}same.ts`, 'export const same = 1;\n');
    await writeFiles(project, { 'dags/new.ts': 'export const n = 1;\n', 'dags/same.ts': 'export const same = 1;\n' });

    const outcome = await deploy(['--bucket', bucket, '--prefix', prefix, '--delete', '--dry-run'], { cwd: project });

    expect(outcome.stdout).toBe(
      [
        `Dry run, nothing is changed: s3://${bucket}/${prefix}`,
        '+ new.ts',
        '- old.ts',
        '= 1 unchanged',
        'Would deploy: 1 to add, 0 to change, 1 to delete, 1 unchanged.',
        '',
      ].join('\n'),
    );
    expect(await keys(prefix)).toEqual([`${prefix}old.ts`, `${prefix}same.ts`]);
  });

  it('does not upload node_modules, .git or dot-files', async () => {
    const prefix = `${uniqueName('ignored')}/`;
    await writeFiles(project, {
      'dags/dag.ts': 'export {};\n',
      'dags/.env': 'SECRET=1\n',
      'dags/.git/HEAD': 'ref: refs/heads/main\n',
      'dags/node_modules/pkg/index.js': 'module.exports = 1;\n',
      'dags/lib/.cache/x': 'x',
    });

    await deploy(['--bucket', bucket, '--prefix', prefix], { cwd: project });

    expect(await keys(prefix)).toEqual([`${prefix}dag.ts`]);
  });

  it('uploads under dags/ by default and shows progress on stderr when stdout is a terminal', async () => {
    await writeFiles(project, { 'dags/default-prefix-dag.ts': 'export {};\n' });
    const outcome = await deploy(['--bucket', bucket], { cwd: project, tty: true });
    expect(await keys()).toContain('dags/default-prefix-dag.ts');
    expect(outcome.stderr).toBe('uploaded 1/1 default-prefix-dag.ts\n');
  });

  it('names a failed upload with its reason, uploads the others, deletes nothing and exits 1', async () => {
    const prefix = `${uniqueName('fail')}/`;
    await store.put(`${prefix}moved-away.ts`, 'export {};\n');
    await writeFiles(project, { 'dags/good.ts': 'export const g = 1;\n', 'dags/moved-here.ts': 'export {};\n' });
    const failing = (real: ObjectStore): ObjectStore => ({
      list: (p) => real.list(p),
      get: (k) => real.get(k),
      getText: (k) => real.getText(k),
      delete: (k) => real.delete(k),
      put: (key, body, type) => (key.endsWith('moved-here.ts') ? Promise.reject(new Error('Access Denied')) : real.put(key, body, type)),
    });

    const outcome = await deploy(['--bucket', bucket, '--prefix', prefix, '--delete'], { cwd: project, wrapObjectStore: failing });

    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toContain('Error: moved-here.ts was not uploaded: Access Denied\n');
    expect(outcome.stderr).toContain('Deleted nothing because an upload failed');
    expect(outcome.stdout).toContain('Deployed with errors: 1 added, 0 changed, 0 deleted, 0 unchanged, 1 failed to upload.');
    expect(await keys(prefix)).toEqual([`${prefix}good.ts`, `${prefix}moved-away.ts`]);
  });

  it('refuses to run without a bucket, saying where to find it (exit code 2)', async () => {
    await writeFiles(project, { 'dags/dag.ts': 'export {};\n' });
    const attempt = deploy([], { cwd: project });
    await expect(attempt).rejects.toBeInstanceOf(CliUsageError);
    await expect(deploy([], { cwd: project })).rejects.toThrow(/No bucket to deploy to\. Pass --bucket NAME or set UPDRAFT_BUCKET to the stack output BucketName/);
    await expect(deploy([], { cwd: project })).rejects.toThrow('aws cloudformation describe-stacks --stack-name updraft-<stage>');
  });

  it('refuses a folder that does not exist, and an empty prefix (exit code 2)', async () => {
    await expect(deploy(['--bucket', bucket], { cwd: project })).rejects.toThrow(
      `The default DAG folder ${join(project, 'dags')} does not exist. Pass the folder with your DAG files`,
    );
    await expect(deploy(['nope', '--bucket', bucket], { cwd: project })).rejects.toBeInstanceOf(CliUsageError);
    await writeFiles(project, { 'dags/dag.ts': 'export {};\n' });
    await expect(deploy(['--bucket', bucket, '--prefix', '/'], { cwd: project })).rejects.toThrow('--prefix must name a folder of the bucket');
  });

  it('asks for a region instead of failing an S3 call when none is configured (exit code 2)', async () => {
    await writeFiles(project, { 'dags/dag.ts': 'export {};\n' });
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = join(project, 'no-aws-config');
    const attempt = deploy(['--bucket', bucket], { cwd: project });
    await expect(attempt).rejects.toBeInstanceOf(CliUsageError);
    await expect(deploy(['--bucket', bucket], { cwd: project })).rejects.toThrow('No AWS region. Set AWS_REGION');
  });

  it('refuses to empty the prefix from an empty folder with --delete, and deletes nothing', async () => {
    const prefix = `${uniqueName('empty')}/`;
    await store.put(`${prefix}dag.ts`, 'export {};\n');
    await mkdir(join(project, 'dags'));
    await expect(deploy(['--bucket', bucket, '--prefix', prefix, '--delete'], { cwd: project })).rejects.toThrow(
      `${join(project, 'dags')} has no files to deploy, so --delete would delete all 1 objects under ${prefix}.`,
    );
    expect(await keys(prefix)).toEqual([`${prefix}dag.ts`]);
  });

  it('fails with the bucket and what to check when the bucket does not exist', async () => {
    await writeFiles(project, { 'dags/dag.ts': 'export {};\n' });
    await expect(deploy(['--bucket', uniqueName('missing-bucket')], { cwd: project })).rejects.toThrow(/in bucket "missing-bucket-[0-9a-f]+" \(NoSuchBucket: .*\)\. Check that the bucket exists/);
  });
});
