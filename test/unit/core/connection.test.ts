import { describe, expect, it } from 'vitest';
import {
  InvalidConnectionError,
  connectionToUri,
  parseConnectionJson,
  parseConnectionUri,
  parseConnectionValue,
  type Connection,
} from '../../../src/core/model/connection.ts';

const conn = (overrides: Partial<Connection>): Connection => ({
  connId: 'c',
  connType: 'generic',
  host: null,
  login: null,
  password: null,
  schema: null,
  port: null,
  extra: {},
  ...overrides,
});

describe('parseConnectionUri', () => {
  it('reads every part of the issue example', () => {
    expect(parseConnectionUri('pg', 'postgresql://user:pass@host:5432/db?sslmode=require')).toEqual({
      connId: 'pg',
      connType: 'postgres',
      host: 'host',
      login: 'user',
      password: 'pass',
      schema: 'db',
      port: 5432,
      extra: { sslmode: 'require' },
    });
  });

  it("reads Airflow's documented generic example, turning - in the type into _", () => {
    expect(parseConnectionUri('my_conn', 'my-conn-type://login:password@host:5432/schema?param1=val1&param2=val2')).toEqual(
      conn({
        connId: 'my_conn',
        connType: 'my_conn_type',
        host: 'host',
        login: 'login',
        password: 'password',
        schema: 'schema',
        port: 5432,
        extra: { param1: 'val1', param2: 'val2' },
      }),
    );
  });

  it('percent-decodes login, password, host, schema and query values', () => {
    const c = parseConnectionUri('x', 'mysql://my%40name:p%40ss%3Aw%2Frd%20%25@myhost.com/my%20db?this_param=some+val&that_param=other+val%2A');
    expect(c).toMatchObject({
      login: 'my@name',
      password: 'p@ss:w/rd %',
      host: 'myhost.com',
      schema: 'my db',
      extra: { this_param: 'some val', that_param: 'other val*' },
    });
  });

  it('takes the extra from __extra__ JSON, nested values included', () => {
    const extra = { my_val: ['list', 'of', 'values'], extra: { nested: { json: 'val' } } };
    const uri = `my-conn-type://@:1234/?__extra__=${encodeURIComponent(JSON.stringify(extra))}`;
    expect(parseConnectionUri('x', uri)).toEqual(conn({ connId: 'x', connType: 'my_conn_type', port: 1234, extra }));
  });

  it('keeps a protocol given in the host, as Airflow does', () => {
    expect(parseConnectionUri('web', 'http://https://example.com/api').host).toBe('https://example.com');
  });

  it('lower-cases the host name and reads IPv6 hosts and missing parts as null', () => {
    expect(parseConnectionUri('x', 'redis://MyHost.Example.COM').host).toBe('myhost.example.com');
    expect(parseConnectionUri('x', 'redis://[::1]:6379')).toMatchObject({ host: '::1', port: 6379, login: null, password: null });
    expect(parseConnectionUri('x', 'aws://')).toEqual(conn({ connId: 'x', connType: 'aws' }));
  });

  it('keeps the case of a percent-encoded socket path in the host', () => {
    expect(parseConnectionUri('x', 'postgres://u@%2FVar%2FRun%2Fpg/db').host).toBe('/Var/Run/pg');
  });

  it('rejects malformed URIs without repeating the password', () => {
    const bad = ['no-scheme-here', 'pg://u:secret@host:notaport/db', 'pg://u:secret@host:70000', 'a://b://c://d', 'pg://u:secret@host/db?__extra__=%7Bnot-json'];
    for (const uri of bad) {
      const error = (() => {
        try {
          parseConnectionUri('my_db', uri);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(InvalidConnectionError);
      expect((error as InvalidConnectionError).code).toBe('invalid_connection');
      expect((error as Error).message).toContain('Connection "my_db"');
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('parseConnectionJson', () => {
  it("reads Airflow's documented JSON form", () => {
    const json = JSON.stringify({
      conn_type: 'my-conn-type',
      login: 'my-login',
      password: 'my-password',
      host: 'my-host',
      port: 1234,
      schema: 'my-schema',
      extra: { param1: 'val1', param2: 'val2' },
    });
    expect(parseConnectionJson('my_prod_database', json)).toEqual({
      connId: 'my_prod_database',
      connType: 'my_conn_type',
      host: 'my-host',
      login: 'my-login',
      password: 'my-password',
      schema: 'my-schema',
      port: 1234,
      extra: { param1: 'val1', param2: 'val2' },
    });
  });

  it('accepts extra as JSON text and a port as a string', () => {
    expect(parseConnectionJson('x', { conn_type: 'http', port: '8080', extra: '{"a": 1}' })).toEqual(
      conn({ connId: 'x', connType: 'http', port: 8080, extra: { a: 1 } }),
    );
  });

  it('rejects a missing conn_type, a bad port, a non-object extra and unknown fields', () => {
    expect(() => parseConnectionJson('x', { host: 'h' })).toThrow(/no "conn_type"/);
    expect(() => parseConnectionJson('x', { conn_type: 'http', port: 'eighty' })).toThrow(/port/);
    expect(() => parseConnectionJson('x', { conn_type: 'http', extra: [1] })).toThrow(/"extra" must be an object/);
    expect(() => parseConnectionJson('x', { conn_type: 'http', user: 'u' })).toThrow(/unknown field\(s\) "user"/);
    expect(() => parseConnectionJson('x', '{oops')).toThrow(InvalidConnectionError);
  });
});

describe('parseConnectionValue', () => {
  it('reads JSON when the value starts with { and a URI otherwise', () => {
    expect(parseConnectionValue('x', '  {"conn_type": "http", "host": "h"}').host).toBe('h');
    expect(parseConnectionValue('x', 'http://h').host).toBe('h');
  });
});

describe('connectionToUri', () => {
  it("writes Airflow's documented URI for a string extra", () => {
    const c = conn({ connType: 'mysql', host: 'myhost.com', login: 'myname', password: 'mypassword', extra: { this_param: 'some val', that_param: 'other val*' } });
    expect(connectionToUri(c)).toBe('mysql://myname:mypassword@myhost.com/?this_param=some+val&that_param=other+val%2A');
  });

  it('writes __extra__ for a nested extra, and @:port when there is no host', () => {
    const extra = { my_val: ['list', 'of', 'values'] };
    const uri = connectionToUri(conn({ connType: 'my_conn_type', port: 1234, extra }));
    expect(uri.startsWith('my-conn-type://@:1234/?__extra__=')).toBe(true);
    expect(parseConnectionUri('c', uri)).toEqual(conn({ connType: 'my_conn_type', port: 1234, extra }));
  });

  it('round-trips every field through its URI, special characters included', () => {
    const samples: Connection[] = [
      conn({ connType: 'postgres', host: 'db.internal', login: 'user@corp', password: 'p@ss:/?#[]% +!', schema: 'my db', port: 5432, extra: { sslmode: 'require' } }),
      conn({ connType: 'http', host: 'https://api.example.com', password: 'token with spaces' }),
      conn({ connType: 'aws', extra: { region_name: 'eu-west-1', config: { retries: 3 } } }),
      conn({ connType: 'generic', login: 'only-login' }),
    ];
    for (const sample of samples) expect(parseConnectionUri('c', connectionToUri(sample))).toEqual(sample);
  });
});
