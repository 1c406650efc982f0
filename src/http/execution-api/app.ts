import { Hono, type Context } from 'hono';
import { ValidationError } from '../../core/errors.ts';
import { decodeTaskInstanceId, type TaskAttemptKey, type TaskInstanceKey } from '../../core/model/keys.ts';
import { TaskInstanceNotFoundError } from '../../services/execution/errors.ts';
import { TaskExecutionService, type TaskExecutionDeps } from '../../services/execution/task-execution-service.ts';
import type { TaskTokens } from '../../services/execution/task-tokens.ts';
import { authenticate } from './authentication.ts';
import { errorResponse } from './error-responses.ts';
import { parseFinishRequest, parseHeartbeatRequest, parseStartRequest, parseXComValue } from './request-schemas.ts';

/** The head version of the Task Execution API; issue #3 adds frozen dated versions. */
export const HEAD_API_VERSION = '2026-11-22';
export const API_VERSION_HEADER = 'Updraft-Api-Version';

export interface ExecutionApiDeps extends TaskExecutionDeps {
  tokens: TaskTokens;
}

type ApiEnv = { Variables: { attempt: TaskAttemptKey } };

/** The Task Execution API as a Hono app: the same app serves Node (local mode, tests) and Lambda. */
export function createExecutionApiApp(deps: ExecutionApiDeps): Hono<ApiEnv> {
  const service = new TaskExecutionService(deps);
  const app = new Hono<ApiEnv>();

  app.onError((error, c) => {
    const { status, body } = errorResponse(error, deps.logger);
    return c.json(body, status);
  });
  app.notFound((c) =>
    c.json({ detail: { reason: 'not_found', message: `No Execution API route for ${c.req.method} ${c.req.path}.` } }, 404),
  );

  app.use('*', async (c, next) => {
    const version = c.req.header(API_VERSION_HEADER);
    if (version !== undefined && version !== HEAD_API_VERSION) {
      throw new ValidationError(
        `Execution API version "${version}" is not supported; this server speaks ${HEAD_API_VERSION}. Upgrade the task runner.`,
        API_VERSION_HEADER,
      );
    }
    await next();
    c.header(API_VERSION_HEADER, HEAD_API_VERSION);
  });

  app.get('/execution/health', (c) => c.json({ status: 'ok' }));

  const authenticated = async (c: Context<ApiEnv>, next: () => Promise<void>) => {
    c.set('attempt', authenticate(c.req.header('Authorization'), deps.tokens));
    await next();
  };
  app.use('/execution/task-instances/*', authenticated);
  app.use('/execution/xcoms/*', authenticated);

  app.patch('/execution/task-instances/:id/run', async (c) => {
    const target = taskInstanceOf(c.req.param('id'));
    const started = await service.start(c.get('attempt'), target, parseStartRequest(await jsonBody(c)));
    return c.json(started, 200);
  });

  app.put('/execution/task-instances/:id/heartbeat', async (c) => {
    const target = taskInstanceOf(c.req.param('id'));
    await service.heartbeat(c.get('attempt'), target, parseHeartbeatRequest(await jsonBody(c)));
    return c.body(null, 204);
  });

  app.patch('/execution/task-instances/:id/state', async (c) => {
    const target = taskInstanceOf(c.req.param('id'));
    await service.finish(c.get('attempt'), target, parseFinishRequest(await jsonBody(c)));
    return c.body(null, 204);
  });

  app.get('/execution/xcoms/:id/:key', async (c) => {
    const target = taskInstanceOf(c.req.param('id'));
    return c.json(await service.getXCom(c.get('attempt'), target, c.req.param('key')), 200);
  });

  app.post('/execution/xcoms/:id/:key', async (c) => {
    const target = taskInstanceOf(c.req.param('id'));
    await service.setXCom(c.get('attempt'), target, c.req.param('key'), parseXComValue(await jsonBody(c)));
    return c.body(null, 201);
  });

  return app;
}

function taskInstanceOf(id: string): TaskInstanceKey {
  const key = decodeTaskInstanceId(id);
  if (!key) {
    throw new TaskInstanceNotFoundError(
      `"${id}" is not a task instance id; ids are made by encodeTaskInstanceId and come with the workload.`,
    );
  }
  return key;
}

async function jsonBody(c: Context<ApiEnv>): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('The request body is not valid JSON; send a JSON object with Content-Type application/json.', 'body');
  }
}
