import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { createDynamoDbClient, createS3Client } from '../src/aws/clients.ts';
import { DynamoDbMetastore } from '../src/aws/dynamodb/index.ts';
import { DynamoDbPoolStore } from '../src/aws/dynamodb/pool-store.ts';
import { DynamoDbBackfillStore } from '../src/aws/dynamodb/backfill-store.ts';
import { DynamoDbUserStore } from '../src/aws/dynamodb/user-store.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { S3ObjectStore } from '../src/aws/s3/object-store.ts';
import { loadTokenSigningKey, SecretsManagerBackend } from '../src/aws/secrets-manager/index.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import { createRestApiApp } from '../src/http/rest-api/app.ts';
import { loadRestApiConfig } from '../src/http/rest-api/lambda-config.ts';
import { UPDRAFT_VERSION } from '../src/http/rest-api/package-version.ts';
import { loadUpdraftConfig } from '../src/local/config-file.ts';
import { loadAuthManager } from '../src/services/auth/load-auth-manager.ts';
import { lazyHandler } from './wiring/lazy-handler.ts';

/** The public REST API (Airflow REST API v2 paths) behind an API Gateway HTTP API, payload format 2.0. */

// Validated at init: a misconfigured function fails its first cold start with the reason in the log.
const config = loadRestApiConfig(process.env);
const updraftConfig = loadUpdraftConfig(process.env);
const logger = fromPowertools(new PowertoolsLogger({ serviceName: 'updraft-rest-api' }));

type Handler = ReturnType<typeof handle>;

/** Clients and the token secret live as long as the container. */
async function wire(): Promise<Handler> {
  const dynamo = createDynamoDbClient();
  const metastore = new DynamoDbMetastore({ client: dynamo, tableName: config.tableName });
  // The secret that signs REST API tokens: from Secrets Manager (the stack generates it) unless
  // `[api_auth] jwt_secret` is configured, which the loader prefers.
  const jwtSecret = config.jwtSecretId
    ? await loadTokenSigningKey(new SecretsManagerBackend({ client: new SecretsManagerClient({ maxAttempts: 1 }), clock: systemClock }), config.jwtSecretId)
    : undefined;
  const authManager = await loadAuthManager(updraftConfig, {
    users: new DynamoDbUserStore(dynamo, config.tableName),
    clock: systemClock,
    logger,
    jwtSecret,
    dagTags: async (dagId) => (await metastore.getDag(dagId))?.tags ?? null,
    baseDir: process.cwd(),
  });
  const app = createRestApiApp({
    metastore,
    objectStore: new S3ObjectStore({ client: createS3Client(), bucket: config.bucket }),
    pools: new DynamoDbPoolStore(dynamo, config.tableName),
    backfills: new DynamoDbBackfillStore(dynamo, config.tableName),
    authManager,
    clock: systemClock,
    logger,
    version: UPDRAFT_VERSION,
    config: updraftConfig,
  });
  return handle(app);
}

export const handler = lazyHandler<LambdaEvent, Context, Awaited<ReturnType<Handler>>>(wire);
