import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../../src/aws/clients.ts';
import { createMetastoreTable, DynamoDbMetastore } from '../../src/aws/dynamodb/index.ts';
import { S3ObjectStore } from '../../src/aws/s3/object-store.ts';
import { emulatorClientOptions, uniqueName } from './aws.ts';

/**
 * A metastore table and a bucket of the caller's own on the shared emulators, with the clients that
 * reach them (harnesses build further stores on `dynamo` and `tableName`). `close` releases the clients.
 */
export async function createEmulatorStorage(prefix: string) {
  const clientOptions = emulatorClientOptions();
  const dynamo = createDynamoDbClient(clientOptions);
  const s3 = createS3Client(clientOptions);
  const tableName = uniqueName(prefix);
  // S3 bucket names are lower case; a prefix need not be.
  const bucket = uniqueName(prefix).toLowerCase();
  await Promise.all([createMetastoreTable(dynamo, tableName), s3.send(new CreateBucketCommand({ Bucket: bucket }))]);
  return {
    clientOptions,
    dynamo,
    s3,
    tableName,
    bucket,
    metastore: new DynamoDbMetastore({ client: dynamo, tableName }),
    objectStore: new S3ObjectStore({ client: s3, bucket }),
    close(): void {
      dynamo.destroy();
      s3.destroy();
    },
  };
}

export type EmulatorStorage = Awaited<ReturnType<typeof createEmulatorStorage>>;
