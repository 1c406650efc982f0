import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { emulatorClientOptions, uniqueName } from '../../support/aws.ts';

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

/** The host and path each request of this client went to. */
function recordRequests(client: S3Client): { hostname: string; path: string }[] {
  const seen: { hostname: string; path: string }[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { hostname: string; path: string };
      seen.push({ hostname: request.hostname, path: request.path });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
  return seen;
}

describe('createS3Client', () => {
  const bucket = uniqueName('clients').toLowerCase();
  const saved = Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    await createS3Client(emulatorClientOptions()).send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterEach(() => {
    for (const name of ENDPOINT_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  // A Lambda bundle builds its clients with no options: the SDK's standard variables are all it gets.
  it.each(ENDPOINT_VARIABLES)('reaches an emulator named only by %s, with path-style requests', async (variable) => {
    const { region, credentials, s3Endpoint } = emulatorClientOptions();
    for (const name of ENDPOINT_VARIABLES) delete process.env[name];
    // A host name, not an IP: for an IP endpoint the SDK picks path style by itself.
    process.env[variable] = s3Endpoint?.replace('127.0.0.1', 'localhost');
    const client = createS3Client({ region, credentials });
    const requests = recordRequests(client);

    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `by-env/${variable}.txt`, Body: 'hello' }));
    const read = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `by-env/${variable}.txt` }));

    expect(await read.Body?.transformToString()).toBe('hello');
    expect(requests[0]).toEqual({ hostname: 'localhost', path: `/${bucket}/by-env/${variable}.txt` });
  });

  it('keeps virtual-hosted requests when no endpoint is configured (AWS)', async () => {
    for (const name of ENDPOINT_VARIABLES) delete process.env[name];
    const client = createS3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, {});
    const requests = recordRequests(client);
    // Stop before the network: only the address the SDK chose matters here.
    client.middlewareStack.add(
      () => async () => {
        throw new Error('not sent');
      },
      { step: 'finalizeRequest', priority: 'low', name: 'stopBeforeSending' },
    );

    await expect(client.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'k.txt' }))).rejects.toThrow('not sent');
    expect(requests[0]).toEqual({ hostname: 'my-bucket.s3.eu-west-1.amazonaws.com', path: '/k.txt' });
  });

  it('uses path style whenever the options name an endpoint', async () => {
    const options = emulatorClientOptions();
    const client = createS3Client({ ...options, s3Endpoint: options.s3Endpoint?.replace('127.0.0.1', 'localhost') }, {});
    const requests = recordRequests(client);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-option.txt', Body: 'x' }));
    expect(requests[0]?.path).toBe(`/${bucket}/by-option.txt`);
  });
});
