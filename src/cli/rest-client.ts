import { UpdraftError } from '../core/errors.ts';

/**
 * How the CLI talks to the REST API: one client over a `fetch` function, so the same code reaches a
 * deployed API over the network and local mode's app in-process (`app.request`).
 */

export type FetchFunction = (request: Request) => Promise<Response>;

/** How the client authenticates: a token as is, or a user name and password exchanged at POST /auth/token. */
export type ApiCredentials = { token: string } | { username: string; password: string } | null;

export interface RestClientOptions {
  /** The API's root, e.g. https://abc.execute-api.eu-west-1.amazonaws.com (the /api/v2 paths follow it). */
  baseUrl: string;
  fetch: FetchFunction;
  credentials: ApiCredentials;
  /** Where the client points, for messages: the URL, or "local mode (<home>)". */
  describe: string;
}

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number>;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** `text`: ask for text/plain (logs) and return the body as a string. */
  accept?: 'json' | 'text';
}

/** An answer of the REST API that is not a success: its status and Airflow's `detail`, explained. */
export class ApiError extends UpdraftError {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    message: string,
  ) {
    super(`api_${status}`, message);
  }
}

/** The REST API could not be reached at all (refused, unknown host, TLS...). */
export class ApiUnreachableError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('api_unreachable', message, options);
  }
}

const AUTH_HELP =
  'Pass a token with --token or UPDRAFT_API_TOKEN, or set UPDRAFT_API_USERNAME and UPDRAFT_API_PASSWORD to log in ' +
  '(an admin creates users with `updraft users create`).';

/** The message a user sees for an error answer: what was wrong and what to do. */
export function describeApiError(status: number, detail: unknown, context: { method: string; path: string; describe: string }): string {
  const text = detailText(detail);
  switch (status) {
    case 400:
      return `The request was refused: ${text}`;
    case 401:
      return `Not authenticated by ${context.describe}: ${text} ${AUTH_HELP}`;
    case 403:
      return `Forbidden: ${text} Your user's role does not allow ${context.method} ${context.path}; ask an admin for a role that does.`;
    case 404:
      return `Not found: ${text}`;
    case 409:
      return `Conflict: ${text}`;
    case 422:
      return `The API rejected the request's fields:\n${text}`;
    default:
      return status >= 500
        ? `${context.describe} failed (HTTP ${status}): ${text} Retry; if it keeps failing, look at the API's log.`
        : `HTTP ${status} from ${context.describe}: ${text}`;
  }
}

/** `detail` as text; FastAPI's validation list as one `loc: msg` line per problem. */
function detailText(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((entry) => {
        const { loc, msg } = (entry ?? {}) as { loc?: unknown[]; msg?: unknown };
        return `  ${Array.isArray(loc) ? loc.join('.') : '?'}: ${String(msg ?? JSON.stringify(entry))}`;
      })
      .join('\n');
  }
  return detail === undefined ? '(no detail)' : JSON.stringify(detail);
}

export class RestClient {
  private token: string | null;
  private login: Promise<string> | null = null;

  constructor(private readonly options: RestClientOptions) {
    this.token = options.credentials && 'token' in options.credentials ? options.credentials.token : null;
  }

  get describe(): string {
    return this.options.describe;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.exchange<T>(method, path, options, await this.bearer());
  }

  private async exchange<T>(method: string, path: string, options: RequestOptions, token: string | null): Promise<T> {
    const response = await this.send(method, path, options, token);
    if (options.accept === 'text') return (await response.text()) as T;
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Every entry of a paged list (Airflow's `{ <key>: [...], total_entries }`), page by page at the
   * API's maximum page size.
   */
  async listAll<T>(path: string, key: string, query: Record<string, QueryValue> = {}): Promise<T[]> {
    const pageSize = 100;
    const entries: T[] = [];
    for (;;) {
      const page = await this.request<Record<string, unknown>>('GET', path, { query: { ...query, limit: pageSize, offset: entries.length } });
      const items = (page[key] ?? []) as T[];
      entries.push(...items);
      const total = Number(page.total_entries ?? entries.length);
      if (items.length === 0 || entries.length >= total) return entries;
    }
  }

  private async bearer(): Promise<string | null> {
    if (this.token !== null) return this.token;
    const credentials = this.options.credentials;
    if (!credentials || !('username' in credentials)) return null;
    this.login ??= this.exchange<{ access_token: string }>('POST', '/auth/token', { body: credentials }, null).then((answer) => answer.access_token);
    this.token = await this.login;
    return this.token;
  }

  private async send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const entry of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(entry));
    }
    const headers: Record<string, string> = { Accept: options.accept === 'text' ? 'text/plain' : 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const request = new Request(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    let response: Response;
    try {
      response = await this.options.fetch(request);
    } catch (error) {
      throw unreachable(this.options.describe, error);
    }
    if (response.ok) return response;
    const text = await response.text();
    let detail: unknown = text;
    try {
      detail = (JSON.parse(text) as { detail?: unknown }).detail ?? text;
    } catch {
      // A proxy's HTML or plain-text error page: shown as it is.
    }
    const context = { method, path: url.pathname, describe: this.options.describe };
    if (response.status === 401 && path === '/auth/token') {
      throw new ApiError(401, detail, `Logging in at ${context.describe} failed: ${detailText(detail)} Check UPDRAFT_API_USERNAME and UPDRAFT_API_PASSWORD.`);
    }
    throw new ApiError(response.status, detail, describeApiError(response.status, detail, context));
  }
}

function unreachable(describe: string, error: unknown): ApiUnreachableError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new ApiUnreachableError(
    `Cannot reach the REST API at ${describe} (${reason}). Is the URL right (--api-url / UPDRAFT_API_URL), and is the API up? ` +
      'Leave the URL unset to use local mode.',
    { cause: error },
  );
}
