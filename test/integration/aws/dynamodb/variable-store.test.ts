import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../src/core/errors.ts';
import { ItemTooLargeError } from '../../../../src/aws/dynamodb/index.ts';
import { MetastoreSecretsBackend } from '../../../../src/services/secrets/metastore-backend.ts';
import { SecretsService } from '../../../../src/services/secrets/secrets-service.ts';
import { EnvironmentSecretsBackend } from '../../../../src/services/secrets/environment-backend.ts';
import { createTestMetastore, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
beforeAll(async () => {
  ({ metastore: store } = await createTestMetastore('variable-store'));
});

describe('DynamoDbMetastore variables', () => {
  it('stores, replaces, reads and deletes a variable', async () => {
    expect(await store.getVariable('bucket')).toBeNull();
    await store.putVariable({ key: 'bucket', value: 'first', description: 'Where exports go' });
    await store.putVariable({ key: 'bucket', value: 'second', description: null });
    expect(await store.getVariable('bucket')).toEqual({ key: 'bucket', value: 'second', description: null });
    expect(await store.deleteVariable('bucket')).toBe(true);
    expect(await store.getVariable('bucket')).toBeNull();
    expect(await store.deleteVariable('bucket')).toBe(false);
  });

  it('keeps values exactly: empty, JSON text, unicode, keys with # and /', async () => {
    const samples = [
      { key: 'empty', value: '', description: null },
      { key: 'json', value: '{"a": [1, 2], "b": null}', description: 'JSON text stays text' },
      { key: 'unicode', value: 'ünïcødé ✓', description: null },
      { key: 'team#a/b.c', value: 'v', description: null },
    ];
    for (const sample of samples) await store.putVariable(sample);
    for (const sample of samples) expect(await store.getVariable(sample.key)).toEqual(sample);
  });

  it('lists variables ordered by key, and only variables', async () => {
    const list = await createTestMetastore('variable-list');
    await list.metastore.putVariable({ key: 'zeta', value: 'z', description: null });
    await list.metastore.putVariable({ key: 'alpha', value: 'a', description: 'first' });
    await list.metastore.putConnection({ connId: 'not_a_variable', connType: 'http', host: null, login: null, password: null, schema: null, port: null, extra: {} });
    expect(await list.metastore.listVariables()).toEqual([
      { key: 'alpha', value: 'a', description: 'first' },
      { key: 'zeta', value: 'z', description: null },
    ]);
  });

  it('rejects a blank or too long key and a value past the item limit', async () => {
    await expect(store.putVariable({ key: ' ', value: 'v', description: null })).rejects.toThrow(ValidationError);
    await expect(store.putVariable({ key: 'k'.repeat(251), value: 'v', description: null })).rejects.toThrow(/1 to 250 characters/);
    await expect(store.putVariable({ key: 'huge', value: 'x'.repeat(420 * 1024), description: null })).rejects.toThrow(ItemTooLargeError);
  });

  it('backs the metastore secrets backend: Variable.set writes here and reads come back through the service', async () => {
    const service = new SecretsService([new EnvironmentSecretsBackend({}), new MetastoreSecretsBackend(store)]);
    await service.setVariable('through_service', 'value-1', 'set by a task');
    expect(await service.getVariable('through_service')).toBe('value-1');
    expect(await store.getVariable('through_service')).toEqual({ key: 'through_service', value: 'value-1', description: 'set by a task' });
    await expect(service.getVariable('never_set')).rejects.toThrow(/Variable "never_set" was not found\. Searched, in order: environment variable UPDRAFT_VAR_NEVER_SET; metastore variable "never_set"/);
  });
});
