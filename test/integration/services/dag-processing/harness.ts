import { readFileSync } from 'node:fs';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDbClient, createS3Client } from '../../../../src/aws/clients.ts';
import { DynamoDbMetastore, createMetastoreTable } from '../../../../src/aws/dynamodb/index.ts';
import { S3ObjectStore } from '../../../../src/aws/s3/object-store.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { DagProcessor, type DagProcessorSettings } from '../../../../src/services/dag-processing/index.ts';
import { emulatorClientOptions, uniqueName } from '../../../support/aws.ts';

const FIXTURES = new URL('../../../fixtures/dags/', import.meta.url);

/** The text of a fixture DAG file under test/fixtures/dags/. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** The 1-based line a fixture marks with `// <- error line`. */
export function markedLine(source: string): number {
  const index = source.split('\n').findIndex((line) => line.includes('// <- error line'));
  if (index < 0) throw new Error('The fixture has no "// <- error line" marker.');
  return index + 1;
}

export interface Harness {
  metastore: DynamoDbMetastore;
  objectStore: S3ObjectStore;
  clock: ManualClock;
  processor: DagProcessor;
  bucket: string;
  /** Puts a file under dags/ in the bucket. */
  upload(fileloc: string, content: string): Promise<void>;
  /** Deletes a file under dags/ from the bucket. */
  remove(fileloc: string): Promise<void>;
  /** A second processor on the same table and bucket, e.g. with other settings. */
  newProcessor(settings?: Partial<DagProcessorSettings>): DagProcessor;
  dispose(): Promise<void>;
}

/** A fresh table, bucket and processor on the emulators, for one test file or describe block. */
export async function createHarness(name: string, settings: Partial<DagProcessorSettings> = {}): Promise<Harness> {
  const options = emulatorClientOptions();
  const tableName = uniqueName(`dagproc-${name}`);
  const bucket = uniqueName(`dagproc-${name}`).toLowerCase();
  const documentClient = createDynamoDbClient(options);
  await createMetastoreTable(documentClient, tableName);
  const s3 = createS3Client(options);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const metastore = new DynamoDbMetastore({ client: documentClient, tableName });
  const objectStore = new S3ObjectStore({ client: s3, bucket });
  const clock = new ManualClock('2025-03-01T12:00:00Z');
  const processors: DagProcessor[] = [];
  const newProcessor = (overrides: Partial<DagProcessorSettings> = {}) => {
    const processor = new DagProcessor({
      metastore,
      objectStore,
      clock,
      logger: silentLogger,
      // Generous: parses share two cores with the rest of the test run.
      settings: { parseTimeoutSeconds: 60, dagsArePausedAtCreation: true, ...settings, ...overrides },
    });
    processors.push(processor);
    return processor;
  };
  return {
    metastore,
    objectStore,
    clock,
    bucket,
    processor: newProcessor(),
    newProcessor,
    upload: (fileloc, content) => objectStore.put(`dags/${fileloc}`, content),
    remove: (fileloc) => objectStore.delete(`dags/${fileloc}`),
    dispose: async () => {
      await Promise.all(processors.map((processor) => processor.dispose()));
    },
  };
}
