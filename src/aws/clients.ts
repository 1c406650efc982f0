import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Where the AWS clients point. In AWS every field is omitted and the SDK's defaults apply; locally and
 * in tests the endpoints name the emulators.
 */
export interface AwsClientOptions {
  region?: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  s3Endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createDynamoDbClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.dynamodbEndpoint,
    credentials: options.credentials,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function createSqsClient(options: AwsClientOptions = {}): SQSClient {
  // fauxqs queue URLs name a host that does not resolve, so a local client must always set endpoint.
  return new SQSClient({ region: options.region, endpoint: options.sqsEndpoint, credentials: options.credentials });
}

/**
 * `env` is where the SDK's standard endpoint variables are read from: `AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL` point a client built with no options (a Lambda bundle's) at an emulator or MinIO.
 */
export function createS3Client(options: AwsClientOptions = {}, env: Record<string, string | undefined> = process.env): S3Client {
  const endpointFromEnv = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return new S3Client({
    region: options.region,
    endpoint: options.s3Endpoint,
    credentials: options.credentials,
    // Path-style addressing is what an emulator on 127.0.0.1 (or MinIO) can serve: a virtual-hosted
    // request would go to <bucket>.127.0.0.1. In AWS neither is set and the SDK's default applies.
    forcePathStyle: options.s3Endpoint !== undefined || endpointFromEnv,
  });
}
