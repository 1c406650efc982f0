import { createHash } from 'node:crypto';

/**
 * An S3 object event as EventBridge delivers it. `encodedKey` is the key as S3 puts it in the event:
 * URL-encoded, spaces as "+" (use `encodeS3EventKey` for a plain key).
 */
export function s3ObjectEvent(detailType: 'Object Created' | 'Object Deleted', bucket: string, encodedKey: string, id?: string) {
  return {
    version: '0',
    // EventBridge gives every event its own id (and keeps it on redelivery).
    id: id ?? `evt-${createHash('sha256').update(`${detailType}\u0000${bucket}\u0000${encodedKey}`).digest('hex').slice(0, 24)}`,
    'detail-type': detailType,
    source: 'aws.s3',
    account: '123456789012',
    time: '2025-03-01T12:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key: encodedKey, size: 100, etag: 'abc', sequencer: '00' },
      'request-id': 'r',
      requester: '123456789012',
      reason: detailType === 'Object Created' ? 'PutObject' : 'DeleteObject',
    },
  };
}

/** A key as S3 event notifications encode it. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}
