import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { createRestApiApp } from '../../../../src/http/rest-api/index.ts';
import { createDynamoDbClient } from '../../../../src/aws/clients.ts';
import { emulatorClientOptions } from '../../../support/aws.ts';
import { createRestApiHarness, NOW, recordingLogger, restApiDepsFor, unreachableMetastore } from './rest-api-harness.ts';

const closers: Array<() => void> = [];
afterEach(() => {
  while (closers.length > 0) closers.pop()?.();
});

async function harness(options: Parameters<typeof createRestApiHarness>[1] = {}) {
  const h = await createRestApiHarness('rest-health', options);
  closers.push(h.close);
  return h;
}

async function health(app: { request: (path: string) => Response | Promise<Response> }) {
  const response = await app.request('/api/v2/monitor/health');
  return { status: response.status, body: (await response.json()) as Record<string, Record<string, unknown>> };
}

describe('GET /api/v2/monitor/health', () => {
  it('reports a scheduler that heartbeat recently as healthy, with its heartbeat time', async () => {
    const h = await harness();
    await h.metastore.recordSchedulerHeartbeat('scheduler-a', new Date('2026-03-01T09:59:00.000Z'));
    await h.metastore.recordSchedulerHeartbeat('scheduler-b', new Date('2026-03-01T09:59:30.000Z'));

    expect(await health(h.app)).toEqual({
      status: 200,
      body: {
        metadatabase: { status: 'healthy' },
        scheduler: { status: 'healthy', latest_scheduler_heartbeat: '2026-03-01T09:59:30.000Z' },
        triggerer: { status: null, latest_triggerer_heartbeat: null },
        dag_processor: { status: null, latest_dag_processor_heartbeat: null },
      },
    });
  });

  it('reports the scheduler unhealthy once its latest heartbeat is 180 s old, and still answers 200', async () => {
    const h = await harness();
    await h.metastore.recordSchedulerHeartbeat('scheduler-a', h.clock.now());

    h.clock.advanceSeconds(179);
    expect((await health(h.app)).body.scheduler).toEqual({ status: 'healthy', latest_scheduler_heartbeat: NOW });

    h.clock.advanceSeconds(1);
    const stale = await health(h.app);
    expect(stale.status).toBe(200);
    expect(stale.body.scheduler).toEqual({ status: 'unhealthy', latest_scheduler_heartbeat: NOW });
    expect(stale.body.metadatabase).toEqual({ status: 'healthy' });
  });

  it('takes the threshold from its deps', async () => {
    const h = await harness({ healthThresholds: { schedulerSeconds: 30 } });
    await h.metastore.recordSchedulerHeartbeat('scheduler-a', h.clock.now());
    h.clock.advanceSeconds(30);
    expect((await health(h.app)).body.scheduler).toEqual({ status: 'unhealthy', latest_scheduler_heartbeat: NOW });
  });

  it('reports a scheduler that never heartbeat as unhealthy with no time, as Airflow 3 does', async () => {
    const h = await harness();
    const { status, body } = await health(h.app);
    expect(status).toBe(200);
    expect(body.metadatabase).toEqual({ status: 'healthy' });
    expect(body.scheduler).toEqual({ status: 'unhealthy', latest_scheduler_heartbeat: null });
  });

  it('answers 200 with the metadatabase and scheduler unhealthy when DynamoDB cannot be reached, and logs why', async () => {
    const { metastore, close } = await unreachableMetastore();
    closers.push(close);
    const logger = recordingLogger();
    const dynamo = createDynamoDbClient(emulatorClientOptions());
    closers.push(() => dynamo.destroy());
    const app = createRestApiApp({ ...(await restApiDepsFor(dynamo, 'unused', metastore)), clock: new ManualClock(NOW), logger, version: '9.8.7' });

    const response = await app.request('/api/v2/monitor/health');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      metadatabase: { status: 'unhealthy' },
      scheduler: { status: 'unhealthy', latest_scheduler_heartbeat: null },
      triggerer: { status: null, latest_triggerer_heartbeat: null },
      dag_processor: { status: null, latest_dag_processor_heartbeat: null },
    });
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(logger.errors).toEqual([
      { message: 'Health check could not read the metastore', attributes: expect.objectContaining({ error: expect.any(String) }) },
    ]);
  });
});
