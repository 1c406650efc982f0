import { beforeAll, describe, expect, it } from 'vitest';
import type { XComRecord } from '../../../../src/core/model/records.ts';
import { ItemTooLargeError } from '../../../../src/aws/dynamodb/index.ts';
import { at, createTestMetastore, type TestMetastore } from './fixtures.ts';

let store: TestMetastore['metastore'];
beforeAll(async () => {
  ({ metastore: store } = await createTestMetastore('xcom-store'));
});

const ti = (taskId: string, mapIndex = -1) => ({ dagId: 'xcoms', runId: 'manual__1', taskId, mapIndex });
const xcom = (key: ReturnType<typeof ti>, name: string, value: unknown, objectKey: string | null = null): XComRecord => ({
  ...key,
  key: name,
  value,
  objectKey,
  timestamp: at('2024-05-01T10:00:00.007Z'),
});

describe('DynamoDbMetastore XComs', () => {
  it('round-trips any JSON value', async () => {
    const values: [string, unknown][] = [
      ['null', null],
      ['zero', 0],
      ['float', 0.1 + 0.2],
      ['big', Number.MAX_SAFE_INTEGER],
      ['empty_string', ''],
      ['false', false],
      ['empty_list', []],
      ['empty_object', {}],
      ['nested', { a: [1, { b: [null, { c: 'd' }] }], e: { f: { g: { h: {} } } } }],
      ['deep', JSON.parse(`${'['.repeat(60)}1${']'.repeat(60)}`)],
      ['unicode', 'ünïcødé ✓ \u0000 end'],
    ];
    for (const [name, value] of values) await store.putXCom(xcom(ti('push'), name, value));
    for (const [name, value] of values) {
      expect(await store.getXCom(ti('push'), name)).toEqual(xcom(ti('push'), name, value));
    }
    expect(await store.getXCom(ti('push'), 'absent')).toBeNull();
  });

  it('stores a reference to the object store with a null value', async () => {
    const record = xcom(ti('offloaded'), 'return_value', null, 'xcom/xcoms/manual__1/offloaded/-1/return_value.json');
    await store.putXCom(record);
    expect(await store.getXCom(ti('offloaded'), 'return_value')).toEqual(record);
  });

  it('overwrites the same key, lists one task instance only and deletes its XComs', async () => {
    await store.putXCom(xcom(ti('map', 1), 'return_value', 'first'));
    await store.putXCom(xcom(ti('map', 1), 'return_value', 'second'));
    await store.putXCom(xcom(ti('map', 1), 'extra', { n: 1 }));
    await store.putXCom(xcom(ti('map', 12), 'return_value', 'twelve'));
    await store.putXCom(xcom(ti('map'), 'return_value', 'unmapped'));

    const listed = await store.listXComs(ti('map', 1));
    expect(listed.map((x) => [x.key, x.value]).sort()).toEqual([
      ['extra', { n: 1 }],
      ['return_value', 'second'],
    ]);
    await store.deleteXComs(ti('map', 1));
    expect(await store.listXComs(ti('map', 1))).toEqual([]);
    expect((await store.getXCom(ti('map', 12), 'return_value'))?.value).toBe('twelve');
    expect((await store.getXCom(ti('map'), 'return_value'))?.value).toBe('unmapped');
    await store.deleteXComs(ti('never_pushed'));
  });

  it("lists a mapped task's XComs under one key by map index, across pages", async () => {
    const big = 'x'.repeat(60 * 1024);
    for (const mapIndex of [12, 2, 0, 1, 10]) await store.putXCom(xcom(ti('fan', mapIndex), 'return_value', { mapIndex, big }));
    await store.putXCom(xcom(ti('fan', 3), 'other', 'not this key'));
    await store.putXCom(xcom(ti('fan'), 'return_value', 'the unmapped placeholder'));
    await store.putXCom(xcom(ti('fan_out', 4), 'return_value', 'another task whose id starts alike'));
    // 60 KB items: DynamoDB pages a query at 1 MB, so 30 of them take two pages.
    for (let mapIndex = 20; mapIndex < 50; mapIndex++) await store.putXCom(xcom(ti('fan', mapIndex), 'return_value', { mapIndex, big }));

    const listed = await store.listTaskXComs({ dagId: 'xcoms', runId: 'manual__1' }, 'fan', 'return_value');
    const expected = [0, 1, 2, 10, 12, ...Array.from({ length: 30 }, (_, i) => 20 + i)];
    expect(listed.map((record) => record.mapIndex)).toEqual(expected);
    expect(listed.map((record) => (record.value as { mapIndex: number }).mapIndex)).toEqual(expected);
    expect(await store.listTaskXComs({ dagId: 'xcoms', runId: 'manual__1' }, 'fan', 'absent')).toEqual([]);
    expect(await store.listTaskXComs({ dagId: 'xcoms', runId: 'manual__2' }, 'fan', 'return_value')).toEqual([]);
  });

  it('deletes more XComs than one batch holds', async () => {
    for (let i = 0; i < 40; i++) await store.putXCom(xcom(ti('many'), `key_${i}`, i));
    expect(await store.listXComs(ti('many'))).toHaveLength(40);
    await store.deleteXComs(ti('many'));
    expect(await store.listXComs(ti('many'))).toEqual([]);
  });

  it('refuses a value beyond the item limit with an error that says where to put it', async () => {
    const error = await store.putXCom(xcom(ti('huge'), 'return_value', 'x'.repeat(500 * 1024))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ItemTooLargeError);
    expect((error as Error).message).toContain('XCom "return_value" of xcoms/manual__1/huge');
  });
});
