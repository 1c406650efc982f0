import { AttributeType, ProjectionType } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { METASTORE_TABLE_DEFINITION } from '../../src/aws/dynamodb/table-definition.ts';
import { InfraConfigError } from '../../infra/errors.ts';
import { metastoreTableProps, type MetastoreTableDefinition } from '../../infra/metastore-table.ts';

const definition = (change: Partial<MetastoreTableDefinition>): MetastoreTableDefinition => ({ ...METASTORE_TABLE_DEFINITION, ...change });

describe('metastoreTableProps', () => {
  it('follows a changed definition: new key types and projections reach the table props', () => {
    const props = metastoreTableProps(
      definition({
        sortKey: { name: 'seq', type: 'N' },
        localSecondaryIndexes: [{ indexName: 'by-size', sortKey: { name: 'size', type: 'N' }, projection: 'KEYS_ONLY' }],
      }),
    );
    expect(props.sortKey).toEqual({ name: 'seq', type: AttributeType.NUMBER });
    expect(props.localSecondaryIndexes).toEqual([
      { indexName: 'by-size', sortKey: { name: 'size', type: AttributeType.NUMBER }, projectionType: ProjectionType.KEYS_ONLY },
    ]);
  });

  it('refuses provisioned billing, which would cost money while idle', () => {
    expect(() => metastoreTableProps(definition({ billingMode: 'PROVISIONED' }))).toThrow(InfraConfigError);
    expect(() => metastoreTableProps(definition({ billingMode: 'PROVISIONED' }))).toThrow(/on-demand/);
  });

  it('refuses key types and projections it cannot express, naming them', () => {
    expect(() => metastoreTableProps(definition({ partitionKey: { name: 'pk', type: 'SS' } }))).toThrow(/"pk" has type "SS"/);
    const include = [{ indexName: 'lsi1', sortKey: { name: 'x', type: 'S' }, projection: 'INCLUDE' }];
    expect(() => metastoreTableProps(definition({ localSecondaryIndexes: include }))).toThrow(/"lsi1" has projection "INCLUDE"/);
  });
});
