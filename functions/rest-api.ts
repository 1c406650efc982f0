import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { createDynamoDbClient } from '../src/aws/clients.ts';
import { DynamoDbMetastore } from '../src/aws/dynamodb/index.ts';
import { fromPowertools } from '../src/aws/powertools-logger.ts';
import { systemClock } from '../src/core/ports/clock.ts';
import { createRestApiApp } from '../src/http/rest-api/app.ts';
import { loadRestApiConfig } from '../src/http/rest-api/lambda-config.ts';
import { UPDRAFT_VERSION } from '../src/http/rest-api/package-version.ts';

/** The public REST API (Airflow REST API v2 paths) behind an API Gateway HTTP API, payload format 2.0. */

// Validated at init: a misconfigured function fails its first cold start with the reason in the log.
const config = loadRestApiConfig(process.env);
const logger = fromPowertools(new PowertoolsLogger({ serviceName: 'updraft-rest-api' }));

// Created once per container, so warm invocations reuse the DynamoDB connection.
const app = createRestApiApp({
  metastore: new DynamoDbMetastore({ client: createDynamoDbClient(), tableName: config.tableName }),
  clock: systemClock,
  logger,
  version: UPDRAFT_VERSION,
});
const honoHandler = handle(app);

export const handler = (event: LambdaEvent, context: Context) => honoHandler(event, context);
