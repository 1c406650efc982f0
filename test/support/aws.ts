import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { AwsClientOptions } from '../../src/aws/clients.ts';
import { LOCAL_CREDENTIALS } from '../../src/local/emulators.ts';

/** Client options pointing at the emulators that the global setup started. */
export function emulatorClientOptions(): AwsClientOptions {
  const endpoints = inject('endpoints');
  return {
    region: endpoints.region,
    dynamodbEndpoint: endpoints.dynamodb,
    sqsEndpoint: endpoints.sqs,
    s3Endpoint: endpoints.s3,
    credentials: { ...LOCAL_CREDENTIALS },
  };
}

/** A name unique to one test file or test, for tables, queues and buckets that share the emulators. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
