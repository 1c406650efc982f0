import { describe, expect, it } from 'vitest';
import { SecretMasker } from '../../../../src/services/secrets/secret-masker.ts';
import { isSensitiveName } from '../../../../src/services/secrets/sensitive-names.ts';
import { parseConnectionUri } from '../../../../src/core/model/connection.ts';

describe('SecretMasker', () => {
  it('replaces a registered value everywhere, also inside longer strings', () => {
    const masker = new SecretMasker();
    masker.add('hunter22');
    expect(masker.mask('password=hunter22; again hunter22,xhunter22x')).toBe('password=***; again ***,x***x');
  });

  it('leaves text alone when nothing is registered or nothing matches', () => {
    const masker = new SecretMasker();
    expect(masker.mask('nothing to hide')).toBe('nothing to hide');
    masker.add('s3cr3t-value');
    expect(masker.mask('nothing to hide')).toBe('nothing to hide');
  });

  it('ignores values shorter than 5 characters and common words, as Airflow does', () => {
    const masker = new SecretMasker();
    masker.add('abcd');
    masker.add('Updraft');
    masker.add('');
    expect(masker.mask('abcd Updraft run')).toBe('abcd Updraft run');
    const strict = new SecretMasker({ minLength: 3 });
    strict.add('abc');
    expect(strict.mask('x abc y')).toBe('x *** y');
  });

  it('treats regex characters in secrets literally and masks the longest secret whole', () => {
    const masker = new SecretMasker();
    masker.add('a.b*c+(d)');
    masker.add('token');
    masker.add('token-extended');
    expect(masker.mask('a.b*c+(d) aXbbc token-extended token')).toBe('*** aXbbc *** ***');
  });

  it('masks the percent-encoded form that appears inside URIs', () => {
    const masker = new SecretMasker();
    masker.add('p@ss w/rd');
    expect(masker.mask('connecting to postgres://u:p%40ss%20w%2Frd@db/x')).toBe('connecting to postgres://u:***@db/x');
  });

  it("registers a connection's password and its sensitive extra values only", () => {
    const masker = new SecretMasker();
    masker.addConnection(
      parseConnectionUri('api', 'http://user:topsecret@host/?api_key=key-12345&region=eu-west-1&timeout=30000'),
    );
    expect(masker.mask('topsecret key-12345 eu-west-1 30000 user')).toBe('*** *** eu-west-1 30000 user');
  });

  it('masks every nested value under a sensitive extra key', () => {
    const masker = new SecretMasker();
    masker.add({ keyfile_dict: { private_key_id: 'abcdef123', client_email: 'svc@example.com' }, project: 'my-project' });
    expect(masker.mask('abcdef123 svc@example.com my-project')).toBe('*** *** my-project');
  });

  it('masks variables whose keys look secret, and no others', () => {
    const masker = new SecretMasker();
    masker.addVariable('SLACK_API_KEY', 'xoxb-12345');
    masker.addVariable('db_password', 'pa55word!');
    masker.addVariable('target_bucket', 'my-data-bucket');
    expect(masker.mask('xoxb-12345 pa55word! my-data-bucket')).toBe('*** *** my-data-bucket');
  });

  it('accepts extra sensitive names', () => {
    const masker = new SecretMasker({ extraSensitiveNames: ['dsn'] });
    masker.addVariable('sentry_dsn', 'https://abc@sentry.io/1');
    expect(masker.mask('dsn is https://abc@sentry.io/1')).toBe('dsn is ***');
  });
});

describe('isSensitiveName', () => {
  it("matches Airflow's sensitive names anywhere in the key, case-insensitively", () => {
    for (const name of ['password', 'DB_PASSWORD', 'passwd', 'Authorization', 'my_api_key', 'apikey', 'access_token', 'private_key', 'aws_secret', 'token', ' Secret ']) {
      expect(isSensitiveName(name), name).toBe(true);
    }
    for (const name of ['host', 'bucket', 'region', 'schema', 'user']) expect(isSensitiveName(name), name).toBe(false);
  });
});
