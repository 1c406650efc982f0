import { AttributeType, Billing, ProjectionType, type Attribute, type TablePropsV2 } from 'aws-cdk-lib/aws-dynamodb';
import { METASTORE_TABLE_DEFINITION } from '../src/aws/dynamodb/table-definition.ts';
import { InfraConfigError } from './errors.ts';

type KeyDefinition = { readonly name: string; readonly type: string };
type IndexDefinition = { readonly indexName: string; readonly sortKey: KeyDefinition; readonly projection: string };

/** The shape of `METASTORE_TABLE_DEFINITION`, widened so a changed definition still type-checks here. */
export interface MetastoreTableDefinition {
  readonly billingMode: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey: KeyDefinition;
  readonly globalSecondaryIndexes: readonly (IndexDefinition & { readonly partitionKey: KeyDefinition })[];
  readonly localSecondaryIndexes: readonly IndexDefinition[];
  readonly timeToLiveAttribute: string;
}

const ATTRIBUTE_TYPES: Record<string, AttributeType> = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };

function attribute(key: KeyDefinition): Attribute {
  const type = ATTRIBUTE_TYPES[key.type];
  if (type === undefined) {
    throw new InfraConfigError(`Metastore key "${key.name}" has type "${key.type}"; the stack supports S, N and B. Fix table-definition.ts.`);
  }
  return { name: key.name, type };
}

function projection(value: string, indexName: string): ProjectionType {
  // Only whole-item projections exist in the definition; INCLUDE would also need its attribute list.
  if (value === 'ALL') return ProjectionType.ALL;
  if (value === 'KEYS_ONLY') return ProjectionType.KEYS_ONLY;
  throw new InfraConfigError(`Index "${indexName}" has projection "${value}"; the stack supports ALL and KEYS_ONLY. Fix table-definition.ts.`);
}

/**
 * Translates the metastore's single schema definition (shared with local mode's `createMetastoreTable`)
 * into `TableV2` props, so the deployed table and the local one cannot drift apart.
 */
export function metastoreTableProps(definition: MetastoreTableDefinition = METASTORE_TABLE_DEFINITION): TablePropsV2 {
  if (definition.billingMode !== 'PAY_PER_REQUEST') {
    throw new InfraConfigError(
      `Metastore billing mode "${definition.billingMode}" is not supported by the stack; Updraft runs on-demand so it costs nothing while idle.`,
    );
  }
  return {
    partitionKey: attribute(definition.partitionKey),
    sortKey: attribute(definition.sortKey),
    billing: Billing.onDemand(),
    timeToLiveAttribute: definition.timeToLiveAttribute,
    globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
      projectionType: projection(index.projection, index.indexName),
    })),
    localSecondaryIndexes: definition.localSecondaryIndexes.map((index) => ({
      indexName: index.indexName,
      sortKey: attribute(index.sortKey),
      projectionType: projection(index.projection, index.indexName),
    })),
  };
}
