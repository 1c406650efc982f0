import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../../src/aws/clients.ts';
import { ObjectStoreError, S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

describe('S3ObjectStore', () => {
  const client = createS3Client(emulatorClientOptions());
  const bucket = uniqueName('objects');
  const store = new S3ObjectStore({ client, bucket, listPageSize: 2 });

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it('reads back text and bytes that were written', async () => {
    await store.put('bundles/v1.mjs', 'export const dag = 1;', 'text/javascript');
    await store.put('outputs/blob.bin', new Uint8Array([0, 1, 2, 255]));

    expect(await store.getText('bundles/v1.mjs')).toBe('export const dag = 1;');
    expect(await store.get('outputs/blob.bin')).toEqual(new Uint8Array([0, 1, 2, 255]));
  });

  it('round-trips non-ASCII text and overwrites an existing key', async () => {
    await store.put('logs/a.log', 'first');
    await store.put('logs/a.log', 'zweite Zeile: ü ✓');
    expect(await store.getText('logs/a.log')).toBe('zweite Zeile: ü ✓');
  });

  it('answers null for a key that does not exist', async () => {
    expect(await store.get('nothing/here')).toBeNull();
    expect(await store.getText('nothing/here')).toBeNull();
  });

  it('deletes a key, and deleting a missing key is not an error', async () => {
    await store.put('tmp/x', 'x');
    await store.delete('tmp/x');
    expect(await store.get('tmp/x')).toBeNull();
    await expect(store.delete('tmp/x')).resolves.toBeUndefined();
  });

  it('lists every key under a prefix across several pages, with sizes', async () => {
    const keys = ['list/a', 'list/b', 'list/c', 'list/d', 'list/e'];
    for (const key of keys) await store.put(key, `${key}!`);
    await store.put('listing-other/z', 'not under the prefix');

    const listed = await store.list('list/');

    expect(listed.map((entry) => entry.key)).toEqual(keys);
    expect(listed.every((entry) => entry.size === 'list/a!'.length)).toBe(true);
    expect(listed.every((entry) => entry.lastModified instanceof Date && !Number.isNaN(entry.lastModified.getTime()))).toBe(true);
  });

  it('lists nothing under an empty prefix', async () => {
    expect(await store.list('no-such-prefix/')).toEqual([]);
  });

  it('wraps other failures with the bucket and key in the message', async () => {
    const missingBucket = new S3ObjectStore({ client, bucket: uniqueName('absent') });
    const failure = await missingBucket.get('some/key').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ObjectStoreError);
    expect((failure as ObjectStoreError).code).toBe('object_store');
    expect((failure as Error).message).toMatch(/"some\/key".*bucket "absent-/);
    await expect(missingBucket.put('k', 'v')).rejects.toThrow(/Could not write "k"/);
  });
});
