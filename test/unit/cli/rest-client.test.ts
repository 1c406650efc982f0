import { describe, expect, it } from 'vitest';
import { ApiError, ApiUnreachableError, RestClient, type FetchFunction } from '../../../src/cli/rest-client.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { CliUsageError } from '../../../src/cli/output.ts';
import { resolveApiTarget } from '../../../src/cli/api-connection.ts';

/** A fetch that answers from a table of (method path) → response, recording what it was sent. */
function stubFetch(answer: (request: Request) => Response | Promise<Response>): { fetch: FetchFunction; sent: Request[] } {
  const sent: Request[] = [];
  return {
    sent,
    fetch: async (request) => {
      sent.push(request.clone());
      return answer(request);
    },
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function client(fetch: FetchFunction, credentials: ConstructorParameters<typeof RestClient>[0]['credentials'] = { token: 't0k' }) {
  return new RestClient({ baseUrl: 'https://api.example.com/', fetch, credentials, describe: 'https://api.example.com' });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('RestClient', () => {
  it('sends the bearer token, the query (repeated for arrays) and a JSON body', async () => {
    const stub = stubFetch(() => json(200, { ok: true }));
    expect(await client(stub.fetch).request('POST', '/api/v2/x', { query: { state: ['a', 'b'], limit: 5, skip: undefined }, body: { n: 1 } })).toEqual({ ok: true });
    const [request] = stub.sent;
    expect(request!.url).toBe('https://api.example.com/api/v2/x?state=a&state=b&limit=5');
    expect(request!.headers.get('authorization')).toBe('Bearer t0k');
    expect(await request!.json()).toEqual({ n: 1 });
  });

  it('pages through a list until total_entries', async () => {
    const stub = stubFetch((request) => {
      const offset = Number(new URL(request.url).searchParams.get('offset'));
      const items = Array.from({ length: Math.min(100, 230 - offset) }, (_, index) => ({ n: offset + index }));
      return json(200, { pools: items, total_entries: 230 });
    });
    const all = await client(stub.fetch).listAll<{ n: number }>('/api/v2/pools', 'pools');
    expect(all.map((item) => item.n)).toEqual(Array.from({ length: 230 }, (_, index) => index));
    expect(stub.sent.map((request) => new URL(request.url).searchParams.get('offset'))).toEqual(['0', '100', '200']);
  });

  it('logs in once with a user name and password', async () => {
    const stub = stubFetch((request) => (new URL(request.url).pathname === '/auth/token' ? json(201, { access_token: 'minted' }) : json(200, {})));
    const api = client(stub.fetch, { username: 'alice', password: 'pw' });
    await api.request('GET', '/api/v2/a');
    await api.request('GET', '/api/v2/b');
    expect(stub.sent.map((request) => new URL(request.url).pathname)).toEqual(['/auth/token', '/api/v2/a', '/api/v2/b']);
    expect(stub.sent[2]!.headers.get('authorization')).toBe('Bearer minted');
  });

  it('explains 401, 403, 404, 409 and 422, and maps them to exit codes', async () => {
    const answers: Record<number, unknown> = {
      401: { detail: 'Invalid token.' },
      403: { detail: 'Access denied.' },
      404: { detail: "DAG with dag_id: 'x' not found." },
      409: { detail: 'It exists.' },
      422: { detail: [{ loc: ['body', 'slots'], msg: 'Input should be a valid integer' }, { loc: ['query', 'limit'], msg: 'too big' }] },
      500: { detail: 'boom' },
    };
    const errors: Record<number, ApiError> = {};
    for (const status of Object.keys(answers).map(Number)) {
      errors[status] = await failure(client(stubFetch(() => json(status, answers[status])).fetch).request('GET', '/api/v2/dags/x'));
    }
    expect(errors[401]!.message).toBe(
      'Not authenticated by https://api.example.com: Invalid token. Pass a token with --token or UPDRAFT_API_TOKEN, or set UPDRAFT_API_USERNAME and ' +
        'UPDRAFT_API_PASSWORD to log in (an admin creates users with `updraft users create`).',
    );
    expect(errors[403]!.message).toContain("Your user's role does not allow GET /api/v2/dags/x");
    expect(errors[404]!.message).toBe("Not found: DAG with dag_id: 'x' not found.");
    expect(errors[409]!.message).toBe('Conflict: It exists.');
    expect(errors[422]!.message).toBe("The API rejected the request's fields:\n  body.slots: Input should be a valid integer\n  query.limit: too big");
    expect(errors[500]!.message).toContain('failed (HTTP 500): boom');
    expect([401, 403, 404, 409, 422, 500].map((status) => exitCodeFor(errors[status]))).toEqual([4, 4, 1, 1, 1, 1]);
  });

  it('shows a non-JSON error page as it is', async () => {
    const error = await failure(client(stubFetch(() => new Response('Bad gateway', { status: 502 })).fetch).request('GET', '/api/v2/x'));
    expect(error.message).toContain('Bad gateway');
  });

  it('says which URL could not be reached', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const error = await client(async () => Promise.reject(refused))
      .request('GET', '/api/v2/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toMatch(/^Cannot reach the REST API at https:\/\/api.example.com \(ECONNREFUSED\)\. Is the URL right/);
    expect(exitCodeFor(error)).toBe(5);
  });
});

describe('resolveApiTarget', () => {
  it('is local without a URL, and the flags win over the environment', () => {
    expect(resolveApiTarget({}, {})).toEqual({ kind: 'local' });
    expect(resolveApiTarget({ apiUrl: 'https://a.example.com', token: 'flag' }, { UPDRAFT_API_URL: 'https://b.example.com', UPDRAFT_API_TOKEN: 'env' })).toEqual({
      kind: 'remote',
      url: 'https://a.example.com',
      credentials: { token: 'flag' },
    });
    expect(resolveApiTarget({}, { UPDRAFT_API_URL: 'https://b.example.com', UPDRAFT_API_USERNAME: 'alice', UPDRAFT_API_PASSWORD: 'pw' })).toEqual({
      kind: 'remote',
      url: 'https://b.example.com',
      credentials: { username: 'alice', password: 'pw' },
    });
  });

  it('refuses a URL that is not http(s), and a token without a URL', () => {
    expect(() => resolveApiTarget({ apiUrl: 'localhost:8080' }, {})).toThrow(CliUsageError);
    expect(() => resolveApiTarget({ token: 'x' }, {})).toThrow('--token needs --api-url');
    expect(() => resolveApiTarget({}, { UPDRAFT_API_URL: 'https://b.example.com', UPDRAFT_API_USERNAME: 'alice' })).toThrow('UPDRAFT_API_PASSWORD is not');
  });
});
