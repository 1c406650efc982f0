import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import { BundleLoader } from '../../../../src/services/task-runner/bundle-loader.ts';
import { BundleNotFoundError } from '../../../../src/services/task-runner/errors.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

const s3 = createS3Client(emulatorClientOptions());
const bucket = uniqueName('bundles');
const objectStore = new S3ObjectStore({ client: s3, bucket });

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s3.destroy());

describe('BundleLoader', () => {
  it('imports a bundle from the object store once, and later from its disk cache', async () => {
    const key = `bundles/${uniqueName('b')}.mjs`;
    await objectStore.put(key, 'export const answer = 42; export default { kind: "dag-like" };');
    const cacheDir = await mkdtemp(join(tmpdir(), 'bundle-cache-'));

    const loader = new BundleLoader({ objectStore, cacheDir });
    const module = await loader.load(key);
    expect(module.answer).toBe(42);
    expect(module.default).toEqual({ kind: 'dag-like' });
    expect(await loader.load(key)).toBe(module);
    expect(await readdir(cacheDir)).toHaveLength(1);

    // A new container process with the same /tmp: the bundle is gone from S3 but still on disk.
    await objectStore.delete(key);
    const warm = new BundleLoader({ objectStore, cacheDir });
    expect((await warm.load(key)).answer).toBe(42);
  });

  it('says which bundle is missing and what to do', async () => {
    const loader = new BundleLoader({ objectStore, cacheDir: await mkdtemp(join(tmpdir(), 'bundle-cache-')) });
    const missing = loader.load('bundles/does-not-exist.mjs');
    await expect(missing).rejects.toBeInstanceOf(BundleNotFoundError);
    await expect(missing).rejects.toThrow(/"bundles\/does-not-exist.mjs" is not in the object store.*upload the DAG file again/);
  });
});
