import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3/object-store.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../src/local/emulators.ts';
import { startPersistentFauxqs } from '../../../src/local/s3-persistence-fauxqs.ts';

const dataRoot = mkdtempSync(join(tmpdir(), 'updraft-s3-'));
const running: FauxqsServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

async function start(dataPath: string): Promise<{ server: FauxqsServer; s3: S3Client }> {
  const server = await startPersistentFauxqs({ s3DataPath: dataPath });
  running.push(server);
  return { server, s3: clientFor(server) };
}

function clientFor(server: FauxqsServer): S3Client {
  return createS3Client({
    region: LOCAL_REGION,
    s3Endpoint: `http://127.0.0.1:${server.port}`,
    credentials: { ...LOCAL_CREDENTIALS },
  });
}

async function restart(server: FauxqsServer, dataPath: string) {
  await server.stop();
  running.splice(running.indexOf(server), 1);
  return start(dataPath);
}

describe('S3 persistence for local mode', () => {
  it('keeps buckets and objects written through the S3 API across a restart', async () => {
    const dataPath = join(dataRoot, 'restart');
    const first = await start(dataPath);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'updraft' }));
    const store = new S3ObjectStore({ client: first.s3, bucket: 'updraft' });
    const logKey = 'logs/dag_id=etl/run_id=manual__2025-01-01T00:00:00+00:00/task_id=t/attempt=1.log';
    await store.put(logKey, 'line 1\nline 2\n');
    await store.put('outputs/bytes.bin', new Uint8Array([0, 10, 13, 255]));
    // Keys a file system could not name as paths: a key next to a "folder" of the same name, and "..".
    await store.put('a', 'file a');
    await store.put('a/b', 'file a/b');
    await store.put('../escape', 'stays inside');
    await store.put('dags/old.ts', 'replaced');
    await store.put('dags/old.ts', 'export const v = 2;');
    await store.put('dags/deleted.ts', 'gone');
    await store.delete('dags/deleted.ts');
    const before = await store.list('');
    const headBefore = await first.s3.send(new HeadObjectCommand({ Bucket: 'updraft', Key: logKey }));

    const second = await restart(first.server, dataPath);

    const reloaded = new S3ObjectStore({ client: second.s3, bucket: 'updraft' });
    expect(await reloaded.getText(logKey)).toBe('line 1\nline 2\n');
    expect(await reloaded.get('outputs/bytes.bin')).toEqual(new Uint8Array([0, 10, 13, 255]));
    expect(await reloaded.getText('a')).toBe('file a');
    expect(await reloaded.getText('a/b')).toBe('file a/b');
    expect(await reloaded.getText('../escape')).toBe('stays inside');
    expect(await reloaded.getText('dags/old.ts')).toBe('export const v = 2;');
    expect(await reloaded.get('dags/deleted.ts')).toBeNull();
    expect(await reloaded.list('')).toEqual(before);
    const headAfter = await second.s3.send(new HeadObjectCommand({ Bucket: 'updraft', Key: logKey }));
    expect(headAfter.ETag).toBe(headBefore.ETag);
    expect(headAfter.ContentType).toBe(headBefore.ContentType);
    expect(readdirSync(dataRoot)).toEqual(['restart']);
  });

  it('keeps an object completed by a multipart upload', async () => {
    const dataPath = join(dataRoot, 'multipart');
    const first = await start(dataPath);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'bundles' }));
    const { UploadId } = await first.s3.send(new CreateMultipartUploadCommand({ Bucket: 'bundles', Key: 'big.mjs' }));
    const part = await first.s3.send(
      new UploadPartCommand({ Bucket: 'bundles', Key: 'big.mjs', UploadId, PartNumber: 1, Body: 'export default 1;' }),
    );
    await first.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'bundles',
        Key: 'big.mjs',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );

    const second = await restart(first.server, dataPath);

    expect(await new S3ObjectStore({ client: second.s3, bucket: 'bundles' }).getText('big.mjs')).toBe('export default 1;');
  });

  it('forgets deleted and emptied buckets', async () => {
    const dataPath = join(dataRoot, 'buckets');
    const first = await start(dataPath);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await first.s3.send(new CreateBucketCommand({ Bucket: 'removed' }));
    await first.s3.send(new CreateBucketCommand({ Bucket: 'emptied' }));
    await first.s3.send(new DeleteBucketCommand({ Bucket: 'removed' }));
    await new S3ObjectStore({ client: first.s3, bucket: 'emptied' }).put('x', 'x');
    first.server.emptyBucket('emptied');

    const second = await restart(first.server, dataPath);

    const buckets = await second.s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toEqual(['emptied', 'kept']);
    expect(await new S3ObjectStore({ client: second.s3, bucket: 'emptied' }).list('')).toEqual([]);
  });

  it('ignores and removes a write that a crash interrupted', async () => {
    const dataPath = join(dataRoot, 'crash');
    const first = await start(dataPath);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'updraft' }));
    await new S3ObjectStore({ client: first.s3, bucket: 'updraft' }).put('kept', 'intact');
    await first.server.stop();
    running.splice(0);
    const [bucketDir] = readdirSync(dataPath);
    writeFileSync(join(dataPath, bucketDir!, '.tmp-interrupted'), '{"key":"half');

    const second = await start(dataPath);

    const store = new S3ObjectStore({ client: second.s3, bucket: 'updraft' });
    expect((await store.list('')).map((entry) => entry.key)).toEqual(['kept']);
    expect(readdirSync(join(dataPath, bucketDir!)).some((file) => file.startsWith('.tmp-'))).toBe(false);
  });

  it('leaves a fauxqs started without persistence in memory only', async () => {
    const dataPath = join(dataRoot, 'scoped');
    await start(dataPath);
    const plain = await startFauxqs({ port: 0, logger: false });
    running.push(plain);
    const s3 = clientFor(plain);
    await s3.send(new CreateBucketCommand({ Bucket: 'in-memory' }));
    await new S3ObjectStore({ client: s3, bucket: 'in-memory' }).put('k', 'v');

    expect(readdirSync(dataPath)).toEqual([]);
  });
});
