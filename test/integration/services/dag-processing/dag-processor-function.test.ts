import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../../../../src/core/errors.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import { createDagProcessorHandler, parseS3ObjectEvent } from '../../../../functions/dag-processor.ts';
import { loadDagProcessorConfig as loadConfig } from '../../../../src/services/dag-processing/lambda-config.ts';
import { s3ObjectEvent } from '../../../support/s3-events.ts';
import { createHarness, fixture, type Harness } from './harness.ts';

const s3Event = s3ObjectEvent;

describe('the dag-processor Lambda entry', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness('function');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('parses the file an Object Created event names and deactivates on Object Deleted', async () => {
    const handler = createDagProcessorHandler({ processor: h.processor, bucket: h.bucket, logger: silentLogger });
    await h.upload('team a/etl.ts', fixture('etl.ts'));

    const created = await handler(s3Event('Object Created', h.bucket, 'dags/team+a/etl.ts'));
    expect(created).toMatchObject({ action: 'processed', result: { fileloc: 'team a/etl.ts', savedDagIds: ['fixture_etl'] } });

    await h.remove('team a/etl.ts');
    const deleted = await handler(s3Event('Object Deleted', h.bucket, 'dags/team%20a/etl.ts'));
    expect(deleted).toEqual({ action: 'removed', result: { fileloc: 'team a/etl.ts', deactivatedDagIds: ['fixture_etl'] } });
  });

  it('ignores events of other buckets and rejects events of another shape', async () => {
    const handler = createDagProcessorHandler({ processor: h.processor, bucket: h.bucket, logger: silentLogger });
    expect(await handler(s3Event('Object Created', 'someone-else', 'dags/x.ts'))).toMatchObject({ action: 'ignored' });
    await expect(handler({ 'detail-type': 'Scheduled Event', detail: {} })).rejects.toThrow(ValidationError);
    expect(parseS3ObjectEvent(s3Event('Object Created', 'b', 'dags/a%2Bb.ts')).key).toBe('dags/a+b.ts');
  });

  it('validates its configuration from the environment', () => {
    expect(loadConfig({ UPDRAFT_TABLE_NAME: 't', UPDRAFT_BUCKET: 'b' })).toEqual({
      UPDRAFT_TABLE_NAME: 't',
      UPDRAFT_BUCKET: 'b',
      UPDRAFT_PARSE_TIMEOUT_SECONDS: 30,
      UPDRAFT_DAGS_ARE_PAUSED_AT_CREATION: true,
    });
    expect(() => loadConfig({ UPDRAFT_BUCKET: 'b' })).toThrow(ConfigError);
    expect(() => loadConfig({ UPDRAFT_TABLE_NAME: 't', UPDRAFT_BUCKET: 'b', UPDRAFT_PARSE_TIMEOUT_SECONDS: 'soon' })).toThrow(
      /UPDRAFT_PARSE_TIMEOUT_SECONDS/,
    );
  });
});
