import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UpdraftError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/ports/object-store.ts';

/** An S3 call failed for a reason other than a missing key (permissions, missing bucket, network). */
export class ObjectStoreError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('object_store', message, options);
  }
}

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Keys per ListObjectsV2 page; S3's maximum (and default) is 1000. */
  listPageSize?: number;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The ObjectStore port on S3: the Updraft bucket holds DAG bundles, logs and large outputs. */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly listPageSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.listPageSize = options.listPageSize ?? 1000;
  }

  private wrap(action: string, key: string, error: unknown): ObjectStoreError {
    return new ObjectStoreError(
      `Could not ${action} "${key}" in bucket "${this.bucket}" (${describe(error)}). ` +
        'Check that the bucket exists and that this role may access it.',
      { cause: error },
    );
  }

  async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream'),
        }),
      );
    } catch (error) {
      throw this.wrap('write', key, error);
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) return new Uint8Array();
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isMissingKey(error)) return null;
      throw this.wrap('read', key, error);
    }
  }

  async getText(key: string): Promise<string | null> {
    const bytes = await this.get(key);
    return bytes === null ? null : new TextDecoder().decode(bytes);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw this.wrap('delete', key, error);
    }
  }

  async list(prefix: string): Promise<Array<{ key: string; size: number; lastModified: Date }>> {
    const entries: Array<{ key: string; size: number; lastModified: Date }> = [];
    let continuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            MaxKeys: this.listPageSize,
            ContinuationToken: continuationToken,
          }),
        );
      } catch (error) {
        throw this.wrap('list keys under', prefix, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        entries.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return entries;
  }
}

/** S3 answers a missing key with NoSuchKey; some emulators and proxies only say 404. */
function isMissingKey(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return candidate?.name === 'NoSuchKey' || (candidate?.name === 'NotFound' && candidate.$metadata?.httpStatusCode === 404);
}
