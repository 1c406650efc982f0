import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ValidationError } from '../../core/errors.ts';
import { decodeTaskInstanceId, type TaskAttemptKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import { TaskInstanceNotFoundError } from '../../services/execution/errors.ts';
import { TaskExecutionService, type TaskExecutionDeps } from '../../services/execution/task-execution-service.ts';
import type { TaskTokens } from '../../services/execution/task-tokens.ts';
import { authenticate } from './authentication.ts';
import { errorResponse } from './error-responses.ts';
import type { OperationId } from './operations.ts';
import {
  parseDagRunStatesQuery,
  parseFinishRequest,
  parseHeartbeatRequest,
  parseStartRequest,
  parseVariableValue,
  parseXComValue,
} from './request-schemas.ts';
import { EnvironmentSecretsBackend, MetastoreSecretsBackend, SecretsService } from '../../services/secrets/index.ts';
import { TriggerEventService } from '../../services/execution/trigger-events.ts';
import { SkipDownstreamService } from '../../services/execution/skip-downstream.ts';
import { parseSkipDownstreamRequest } from './request-schemas.ts';
import { parseTriggerEventRequest, parseTriggerFailureRequest } from './request-schemas.ts';
import { honoPath, ROUTES } from './routes.ts';
import { API_VERSION_HEADER, executionApiVersions, HEAD_API_VERSION } from './versioning/api-versions.ts';

export { API_VERSION_HEADER, HEAD_API_VERSION };

export interface ExecutionApiDeps extends TaskExecutionDeps {
  tokens: TaskTokens;
  /**
   * Where tasks' variables and connections come from. Default: the environment (`UPDRAFT_VAR_*`,
   * `UPDRAFT_CONN_*`), then the metastore; entry points put Secrets Manager between them.
   */
  secrets?: SecretsService;
}

type ApiEnv = { Variables: { attempt: TaskAttemptKey; apiVersion: string } };
type ApiContext = Context<ApiEnv>;
type Handler = (c: ApiContext) => Promise<Response> | Response;

/**
 * The Task Execution API as a Hono app: the same app serves Node (local mode, tests) and Lambda.
 * Handlers speak the head version; request bodies are raised to head and success answers lowered to
 * the version the client names (see versioning/).
 */
export function createExecutionApiApp(deps: ExecutionApiDeps): Hono<ApiEnv> {
  const service = new TaskExecutionService(deps);
  const skipping = new SkipDownstreamService(deps);
  const triggerEvents = new TriggerEventService(deps);
  const secrets =
    deps.secrets ?? new SecretsService([new EnvironmentSecretsBackend(process.env), new MetastoreSecretsBackend(deps.metastore)]);
  const app = new Hono<ApiEnv>();

  app.onError((error, c) => {
    const { status, body } = errorResponse(error, deps.logger);
    return c.json(body, status);
  });
  app.notFound((c) =>
    c.json({ detail: { reason: 'not_found', message: `No Execution API route for ${c.req.method} ${c.req.path}.` } }, 404),
  );

  app.use('*', async (c, next) => {
    const version = executionApiVersions.resolve(c.req.header(API_VERSION_HEADER));
    c.set('apiVersion', version);
    await next();
    c.header(API_VERSION_HEADER, version);
  });

  const authenticated = async (c: ApiContext, next: () => Promise<void>) => {
    c.set('attempt', authenticate(c.req.header('Authorization'), deps.tokens));
    await next();
  };

  const handlers: Record<OperationId, Handler> = {
    health: (c) => answer(c, 'health', { status: 'ok' }),
    startTaskInstance: async (c) => {
      const request = parseStartRequest(await requestBody(c, 'startTaskInstance'));
      return answer(c, 'startTaskInstance', await service.start(c.get('attempt'), taskInstanceOf(c), request));
    },
    heartbeatTaskInstance: async (c) => {
      const request = parseHeartbeatRequest(await requestBody(c, 'heartbeatTaskInstance'));
      await service.heartbeat(c.get('attempt'), taskInstanceOf(c), request);
      return answer(c, 'heartbeatTaskInstance');
    },
    finishTaskInstance: async (c) => {
      const request = parseFinishRequest(await requestBody(c, 'finishTaskInstance'));
      await service.finish(c.get('attempt'), taskInstanceOf(c), request);
      return answer(c, 'finishTaskInstance');
    },
    skipDownstreamTaskInstances: async (c) => {
      const request = parseSkipDownstreamRequest(await requestBody(c, 'skipDownstreamTaskInstances'));
      const result = await skipping.skipDownstream(c.get('attempt'), taskInstanceOf(c), request);
      return answer(c, 'skipDownstreamTaskInstances', {
        skipped: result.skipped.map(({ taskId, mapIndex }) => ({ taskId, mapIndex })),
        unchanged: result.unchanged.map(({ taskId, mapIndex, state }) => ({ taskId, mapIndex, state })),
      });
    },
    getXCom: async (c) =>
      answer(c, 'getXCom', await service.getXCom(c.get('attempt'), taskInstanceOf(c), c.req.param('key') as string)),
    setXCom: async (c) => {
      const value = parseXComValue(await requestBody(c, 'setXCom'));
      await service.setXCom(c.get('attempt'), taskInstanceOf(c), c.req.param('key') as string, value);
      return answer(c, 'setXCom');
    },
    getVariable: async (c) => {
      const key = c.req.param('key') as string;
      return answer(c, 'getVariable', { key, value: await secrets.getVariable(key) });
    },
    setVariable: async (c) => {
      const request = parseVariableValue(await requestBody(c, 'setVariable'));
      await secrets.setVariable(c.req.param('key') as string, request.value, request.description ?? null);
      return answer(c, 'setVariable');
    },
    getConnection: async (c) => answer(c, 'getConnection', await secrets.getConnection(c.req.param('connId') as string)),
    fireTrigger: async (c) => {
      await triggerEvents.fire(c.get('attempt'), taskInstanceOf(c), parseTriggerEventRequest(await requestBody(c, 'fireTrigger')));
      return answer(c, 'fireTrigger');
    },
    failTrigger: async (c) => {
      await triggerEvents.fail(c.get('attempt'), taskInstanceOf(c), parseTriggerFailureRequest(await requestBody(c, 'failTrigger')));
      return answer(c, 'failTrigger');
    },
    getDagRunStates: async (c) => {
      const query = parseDagRunStatesQuery({ logicalDate: c.req.query('logicalDate'), taskIds: c.req.query('taskIds') });
      const states = await service.getDagRunStates(c.get('attempt'), c.req.param('dagId') as string, query.logicalDate, query.taskIds);
      return answer(c, 'getDagRunStates', states);
    },
  };

  for (const [operation, route] of Object.entries(ROUTES) as Array<[OperationId, (typeof ROUTES)[OperationId]]>) {
    const path = honoPath(route.path);
    if (route.authenticated) app.on(route.method.toUpperCase(), path, authenticated, handlers[operation]);
    else app.on(route.method.toUpperCase(), path, handlers[operation]);
  }

  return app;
}

/** The success answer of an operation, in the client's version; a route without a body answers empty. */
function answer(c: ApiContext, operation: OperationId, body?: unknown): Response {
  const status = ROUTES[operation].success.status;
  if (body === undefined) return c.body(null, status);
  const versioned = executionApiVersions.responseFromHead(operation, c.get('apiVersion'), body);
  return c.json(versioned as object, status as ContentfulStatusCode);
}

/** The JSON body, raised from the client's version to head. */
async function requestBody(c: ApiContext, operation: OperationId): Promise<unknown> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('The request body is not valid JSON; send a JSON object with Content-Type application/json.', 'body');
  }
  return executionApiVersions.requestToHead(operation, c.get('apiVersion'), body);
}

function taskInstanceOf(c: ApiContext): TaskInstanceKey {
  const id = c.req.param('id') as string;
  const key = decodeTaskInstanceId(id);
  if (!key) {
    throw new TaskInstanceNotFoundError(
      `"${id}" is not a task instance id; ids are made by encodeTaskInstanceId and come with the workload.`,
    );
  }
  return key;
}
