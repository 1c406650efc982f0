export { DynamoDbMetastore, type DynamoDbMetastoreOptions } from './metastore.ts';
export { METASTORE_TABLE_DEFINITION, MetastoreTableError, createMetastoreTable, createTableInput } from './table-definition.ts';
export { ItemTooLargeError, MAX_SERIALIZED_DAG_BYTES, SerializedDagTooLargeError } from './errors.ts';
