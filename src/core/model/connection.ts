import { UpdraftError } from '../errors.ts';

/**
 * A connection as tasks see it: Airflow's Connection fields in camelCase. `extra` is always an object
 * (Airflow keeps it as JSON text; `extra_dejson` is what hooks read, so we keep only that form).
 */
export interface Connection {
  connId: string;
  connType: string;
  host: string | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  port: number | null;
  extra: Record<string, unknown>;
}

/** A connection value (URI or JSON) that cannot be read. The message never repeats the value: it may hold a password. */
export class InvalidConnectionError extends UpdraftError {
  readonly connId: string;

  constructor(connId: string, problem: string, options?: { cause?: unknown }) {
    super(
      'invalid_connection',
      `Connection "${connId}" is not valid: ${problem}. Write it as a URI ` +
        '(conn-type://login:password@host:port/schema?param=value, special characters percent-encoded) ' +
        'or as JSON ({"conn_type": "...", "host": "...", "login": "...", "password": "...", "port": 5432, ' +
        '"schema": "...", "extra": {...}}).',
      options,
    );
    this.connId = connId;
  }
}

/** Query parameter that carries the whole extra as JSON text, as in Airflow. */
export const EXTRA_QUERY_KEY = '__extra__';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.\-_]*):\/\//;
const JSON_FIELDS = new Set(['conn_type', 'host', 'login', 'password', 'schema', 'port', 'extra', 'description', 'conn_id']);

/** Airflow's normalisation: `postgresql` is the `postgres` type, and URIs spell `_` as `-`. */
export function normalizeConnType(connType: string): string {
  const lower = connType.toLowerCase();
  return lower === 'postgresql' ? 'postgres' : lower.replaceAll('-', '_');
}

function decode(connId: string, text: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new InvalidConnectionError(connId, `the ${part} has a malformed percent-encoding`, { cause });
  }
}

const emptyToNull = (value: string | null): string | null => (value === null || value === '' ? null : value);

function parsePort(connId: string, text: string): number | null {
  if (text === '') return null;
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new InvalidConnectionError(connId, `the port must be a number from 0 to 65535 (got "${text}")`);
  }
  return Number(text);
}

/** Splits an authority the way Python's urlsplit does: the last `@` ends the user info. */
function splitAuthority(connId: string, netloc: string) {
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  let login: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    login = decode(connId, colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'login');
    password = colon >= 0 ? decode(connId, userinfo.slice(colon + 1), 'password') : null;
  }
  let rawHost: string;
  let portText = '';
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw new InvalidConnectionError(connId, 'an IPv6 host is missing its closing "]"');
    rawHost = hostport.slice(1, close);
    const rest = hostport.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new InvalidConnectionError(connId, 'unexpected text after the IPv6 host');
    portText = rest.slice(1);
  } else {
    const colon = hostport.indexOf(':');
    rawHost = colon >= 0 ? hostport.slice(0, colon) : hostport;
    portText = colon >= 0 ? hostport.slice(colon + 1) : '';
  }
  const decodedHost = decode(connId, rawHost, 'host');
  // Airflow lower-cases host names (urlsplit does) except a percent-encoded path, such as a socket.
  const host = decodedHost.includes('/') ? decodedHost : decodedHost.toLowerCase();
  return { login, password, host, port: parsePort(connId, portText) };
}

function parseExtraJson(connId: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InvalidConnectionError(connId, 'its extra is not valid JSON', { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidConnectionError(connId, 'its extra must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Parses Airflow's URI form: `conn-type://login:password@host:port/schema?param=value`. Parts are
 * percent-decoded; `__extra__` carries the whole extra as JSON, otherwise query parameters become extra.
 * A host may carry its own protocol (`http://https://example.com`), as in Airflow.
 */
export function parseConnectionUri(connId: string, uri: string): Connection {
  const trimmed = uri.trim();
  const schemeMatch = SCHEME.exec(trimmed);
  if (!schemeMatch) throw new InvalidConnectionError(connId, 'a URI must start with the connection type and "://"');
  const schemes = trimmed.split('://').length - 1;
  if (schemes > 2) throw new InvalidConnectionError(connId, 'the URI holds "://" more than twice');
  let rest = trimmed.slice(schemeMatch[0].length);
  let protocol: string | null = null;
  if (schemes === 2) {
    const end = rest.indexOf('://');
    protocol = rest.slice(0, end);
    if (protocol.includes('@') || protocol.includes(':')) {
      throw new InvalidConnectionError(connId, 'a host protocol must come right after the connection type');
    }
    rest = rest.slice(end + 3);
  }
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  const queryAt = rest.indexOf('?');
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : '';
  const beforeQuery = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  const slash = beforeQuery.indexOf('/');
  const netloc = slash >= 0 ? beforeQuery.slice(0, slash) : beforeQuery;
  const path = slash >= 0 ? beforeQuery.slice(slash + 1) : '';
  const authority = splitAuthority(connId, netloc);

  let extra: Record<string, unknown> = {};
  if (query !== '') {
    const params = new URLSearchParams(query);
    const raw = params.get(EXTRA_QUERY_KEY);
    if (raw !== null) extra = parseExtraJson(connId, raw);
    else for (const [key, value] of params) extra[key] = value;
  }
  const host = protocol !== null ? `${protocol}://${authority.host}` : authority.host;
  return {
    connId,
    connType: normalizeConnType(schemeMatch[1] as string),
    host: emptyToNull(host),
    login: emptyToNull(authority.login),
    password: emptyToNull(authority.password),
    schema: emptyToNull(decode(connId, path, 'schema')),
    port: authority.port,
    extra,
  };
}

function optionalString(connId: string, json: Record<string, unknown>, field: string): string | null {
  const value = json[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new InvalidConnectionError(connId, `"${field}" must be a string`);
  return value;
}

/** Parses Airflow's JSON form: conn_type, host, login, password, schema, port, extra (object or JSON text). */
export function parseConnectionJson(connId: string, json: string | Record<string, unknown>): Connection {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new InvalidConnectionError(connId, 'its JSON cannot be parsed', { cause });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConnectionError(connId, 'its JSON must be an object');
  }
  const object = value as Record<string, unknown>;
  const unknownFields = Object.keys(object).filter((key) => !JSON_FIELDS.has(key));
  if (unknownFields.length > 0) {
    throw new InvalidConnectionError(connId, `its JSON has unknown field(s) ${unknownFields.map((f) => `"${f}"`).join(', ')}`);
  }
  const connType = optionalString(connId, object, 'conn_type');
  if (connType === null) throw new InvalidConnectionError(connId, 'its JSON has no "conn_type"');

  let port: number | null = null;
  const rawPort = object.port;
  if (rawPort !== undefined && rawPort !== null && rawPort !== '') {
    if (typeof rawPort !== 'number' && typeof rawPort !== 'string') {
      throw new InvalidConnectionError(connId, '"port" must be an integer');
    }
    if (typeof rawPort === 'number' && !Number.isInteger(rawPort)) throw new InvalidConnectionError(connId, '"port" must be an integer');
    port = parsePort(connId, String(rawPort));
  }

  let extra: Record<string, unknown> = {};
  const rawExtra = object.extra;
  if (typeof rawExtra === 'string') {
    if (rawExtra !== '') extra = parseExtraJson(connId, rawExtra);
  } else if (rawExtra !== undefined && rawExtra !== null) {
    if (typeof rawExtra !== 'object' || Array.isArray(rawExtra)) throw new InvalidConnectionError(connId, '"extra" must be an object');
    extra = { ...(rawExtra as Record<string, unknown>) };
  }

  return {
    connId,
    connType: normalizeConnType(connType),
    host: optionalString(connId, object, 'host'),
    login: optionalString(connId, object, 'login'),
    password: optionalString(connId, object, 'password'),
    schema: optionalString(connId, object, 'schema'),
    port,
    extra,
  };
}

/** A stored connection value in either form: JSON when it starts with `{`, a URI otherwise (as Airflow decides). */
export function parseConnectionValue(connId: string, value: string): Connection {
  return value.trimStart().startsWith('{') ? parseConnectionJson(connId, value) : parseConnectionUri(connId, value);
}

/** Python's `quote(s, safe="")`: everything but letters, digits and `_.-~` is percent-encoded. */
function quote(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Python's `urlencode`: form encoding, spaces as `+`. */
function formEncode(entries: [string, string][]): string {
  return entries.map(([key, value]) => `${quote(key).replaceAll('%20', '+')}=${quote(value).replaceAll('%20', '+')}`).join('&');
}

/**
 * The connection as Airflow's URI (`Connection.get_uri`): `_` in the type becomes `-`, parts are
 * percent-encoded, a string-only extra becomes query parameters and any other extra `__extra__` JSON.
 */
export function connectionToUri(c: Connection): string {
  let uri = `${c.connType.toLowerCase().replaceAll('_', '-')}://`;
  let host = c.host;
  const protocolAt = host?.indexOf('://') ?? -1;
  if (host && protocolAt >= 0) {
    uri += `${host.slice(0, protocolAt)}://`;
    host = host.slice(protocolAt + 3);
  }
  let authority = '';
  if (c.login !== null) authority += quote(c.login);
  if (c.password !== null) authority += `:${quote(c.password)}`;
  if (authority !== '') uri += `${authority}@`;
  let hostBlock = host ? quote(host) : '';
  if (c.port) hostBlock += hostBlock === '' && authority === '' ? `@:${c.port}` : `:${c.port}`;
  if (c.schema) hostBlock += `/${quote(c.schema)}`;
  uri += hostBlock;
  const entries = Object.entries(c.extra);
  if (entries.length > 0) {
    const separator = c.schema ? '?' : '/?';
    const allStrings = entries.every(([, value]) => typeof value === 'string');
    uri += separator + (allStrings ? formEncode(entries as [string, string][]) : formEncode([[EXTRA_QUERY_KEY, JSON.stringify(c.extra)]]));
  }
  return uri;
}
