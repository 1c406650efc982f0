import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { DynamoDbMetastore } from '../../../../src/aws/dynamodb/index.ts';
import { UpdraftConfig } from '../../../../src/core/config/updraft-config.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { createRestApiApp, type RestApiDeps } from '../../../../src/http/rest-api/index.ts';
import { CONFIG_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/config.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { NOW, recordingLogger, restApiDepsFor } from './rest-api-harness.ts';

const dynamo = createDynamoDbClient(emulatorClientOptions());
let base: Omit<RestApiDeps, 'clock' | 'logger' | 'version'>;

const exposed = UpdraftConfig.resolve({
  env: {
    UPDRAFT__API__EXPOSE_CONFIG: 'true',
    UPDRAFT__CORE__EXECUTOR: 'lambda,fargate',
    UPDRAFT__API_AUTH__JWT_SECRET: 'a-secret-that-must-never-be-shown-1234',
    UPDRAFT__FARGATE__CLUSTER: 'prod',
    UPDRAFT__FARGATE__TASK_DEFINITION: 'runner:3',
    UPDRAFT__FARGATE__SUBNETS: 'subnet-a,subnet-b',
  },
});

beforeAll(async () => {
  // The config endpoints read no storage; the table is named but never created.
  const tableName = uniqueName('config-api');
  base = await restApiDepsFor(dynamo, tableName, new DynamoDbMetastore({ client: dynamo, tableName }));
});
afterAll(() => dynamo.destroy());

function appWith(config: UpdraftConfig | undefined, auth = new TestAuthManager()) {
  return createRestApiApp({ ...base, authManager: auth, config, clock: new ManualClock(NOW), logger: recordingLogger(), version: '9.8.7', endpoints: CONFIG_ENDPOINTS });
}

const get = (app: ReturnType<typeof appWith>, path: string, accept?: string) =>
  app.request(path, { headers: { ...TestAuthManager.headers(), ...(accept ? { Accept: accept } : {}) } });

describe('GET /api/v2/config', () => {
  it('lists every section with its options, sensitive values hidden', async () => {
    const response = await get(appWith(exposed), '/api/v2/config');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sections: Array<{ name: string; options: Array<{ key: string; value: string }> }> };
    expect(body.sections.map((s) => s.name)).toEqual(['core', 'api_auth', 'api', 'scheduler', 'fargate', 'metrics']);
    const section = (name: string) => Object.fromEntries(body.sections.find((s) => s.name === name)!.options.map((o) => [o.key, o.value]));
    expect(section('core')).toEqual({ executor: 'lambda,fargate', parallelism: '32', auth_manager: 'simple' });
    expect(section('api_auth')).toEqual({ jwt_secret: '< hidden >', jwt_expiration_time: '86400' });
    expect(section('fargate')).toMatchObject({ cluster: 'prod', subnets: 'subnet-a,subnet-b', log_group: '' });
    expect(JSON.stringify(body)).not.toContain('a-secret-that-must-never-be-shown');
  });

  it('picks one section with `section`, and answers 404 for a section that does not exist', async () => {
    const app = appWith(exposed);
    const one = (await (await get(app, '/api/v2/config?section=metrics')).json()) as { sections: unknown[] };
    expect(one).toEqual({ sections: [{ name: 'metrics', options: [{ key: 'enabled', value: 'true' }, { key: 'namespace', value: 'Updraft' }] }] });
    const missing = await get(app, '/api/v2/config?section=webserver');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toContain('Section webserver not found.');
  });

  it('answers text/plain in updraft.cfg form when asked, and 406 for other types', async () => {
    const app = appWith(exposed);
    const text = await get(app, '/api/v2/config?section=api_auth', 'text/plain');
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toBe('[api_auth]\njwt_secret = < hidden >\njwt_expiration_time = 86400\n');
    const xml = await get(app, '/api/v2/config', 'application/xml');
    expect(xml.status).toBe(406);
  });

  it('refuses (403) unless [api] expose_config is true, as Airflow by default', async () => {
    for (const config of [UpdraftConfig.defaults(), undefined]) {
      const response = await get(appWith(config), '/api/v2/config');
      expect(response.status).toBe(403);
      expect(((await response.json()) as { detail: string }).detail).toContain(
        'Your Airflow administrator chose not to expose the configuration, most likely for security reasons.',
      );
    }
  });

  it('asks the auth manager for configuration GET: 403 when refused, 401 without a token', async () => {
    const auth = new TestAuthManager((kind) => kind === 'configuration');
    const app = appWith(exposed, auth);
    expect((await get(app, '/api/v2/config')).status).toBe(403);
    expect(auth.checks).toEqual([{ kind: 'configuration', request: expect.objectContaining({ method: 'GET' }) }]);
    expect((await appWith(exposed).request('/api/v2/config')).status).toBe(401);
  });
});

describe('GET /api/v2/config/section/{section}/option/{option}', () => {
  it('answers one value in the Config shape, or as text', async () => {
    const app = appWith(exposed);
    const response = await get(app, '/api/v2/config/section/core/option/executor');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sections: [{ name: 'core', options: [{ key: 'executor', value: 'lambda,fargate' }] }] });
    expect(await (await get(app, '/api/v2/config/section/core/option/parallelism', 'text/plain')).text()).toBe('[core]\nparallelism = 32\n');
  });

  it('hides a sensitive value', async () => {
    const response = await get(appWith(exposed), '/api/v2/config/section/api_auth/option/jwt_secret');
    expect(await response.json()).toEqual({ sections: [{ name: 'api_auth', options: [{ key: 'jwt_secret', value: '< hidden >' }] }] });
  });

  it('answers 404 for an option that does not exist', async () => {
    const response = await get(appWith(exposed), '/api/v2/config/section/core/option/dags_folder');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toContain('Option [core/dags_folder] not found.');
  });

  it('is refused when not exposed, or when the auth manager refuses', async () => {
    expect((await get(appWith(UpdraftConfig.defaults()), '/api/v2/config/section/core/option/executor')).status).toBe(403);
    expect((await get(appWith(exposed, new TestAuthManager(() => true)), '/api/v2/config/section/core/option/executor')).status).toBe(403);
    expect((await appWith(exposed).request('/api/v2/config/section/core/option/executor')).status).toBe(401);
  });
});
