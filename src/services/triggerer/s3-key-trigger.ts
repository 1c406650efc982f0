import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { TriggerOutcome } from './trigger-outcome.ts';
import { wildcardPrefix, wildcardToRegExp } from '../../core/s3-wildcard.ts';

/** Keys listed per poll at most: a pattern under a huge prefix should be narrowed, not paged for minutes. */
const MAX_LISTED_KEYS = 10_000;

/**
 * One poll of an `s3_key` trigger with the triggerer's own AWS credentials: HeadObject for a key,
 * ListObjectsV2 under the pattern's literal prefix for a wildcard. Fires with the matching keys.
 * A missing bucket or refused access throws, which fails the waiting task with S3's message.
 */
export async function pollS3Key(s3: S3Client, kwargs: Record<string, unknown>, signal: AbortSignal): Promise<TriggerOutcome> {
  const bucket = String(kwargs.bucket);
  const key = String(kwargs.key);
  if (kwargs.wildcardMatch !== true) {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return { kind: 'fired', payload: { bucket, keys: [{ key, size: head.ContentLength ?? null }] } };
    } catch (error) {
      if (isNotFound(error)) return { kind: 'waiting', why: `s3://${bucket}/${key} does not exist yet` };
      throw error;
    }
  }
  const pattern = wildcardToRegExp(key);
  const prefix = wildcardPrefix(key);
  const found: Array<{ key: string; size: number | null }> = [];
  let token: string | undefined;
  let listed = 0;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && pattern.test(object.Key)) found.push({ key: object.Key, size: object.Size ?? null });
    }
    listed += page.KeyCount ?? page.Contents?.length ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && listed < MAX_LISTED_KEYS);
  if (found.length === 0) return { kind: 'waiting', why: `no key of s3://${bucket} matches ${key} yet` };
  return { kind: 'fired', payload: { bucket, keys: found } };
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}
