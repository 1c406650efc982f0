import { PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskAttemptKey } from '../../../../src/core/model/keys.ts';
import type { TriggerSpec } from '../../../../src/core/model/records.ts';
import { silentLogger } from '../../../../src/core/ports/logger.ts';
import type { TriggerToPoll } from '../../../../src/core/ports/trigger-queue.ts';
import { runTask } from '../../../../src/services/task-runner/run-task.ts';
import { Triggerer } from '../../../../src/services/triggerer/triggerer.ts';
import { uniqueName } from '../../../support/aws.ts';
import { createDeferralHarness } from './deferral-harness.ts';

/** A task defers from a real bundle, the triggerer polls its trigger, and the resumed run sees ctx.resume. */

let h: Awaited<ReturnType<typeof createDeferralHarness>>;
let triggerer: Triggerer;

beforeAll(async () => {
  h = await createDeferralHarness('deferral');
  triggerer = new Triggerer({ apiBaseUrl: h.apiUrl, logger: silentLogger, s3: h.storage.s3, bundleLoader: h.bundleLoader });
});
afterAll(() => h?.close());

function toPoll(ti: TaskAttemptKey, trigger: TriggerSpec): TriggerToPoll {
  return { ti, trigger, token: h.tokens.issue(ti, 3600), versionId: h.versionId, bundleKey: h.bundleKey };
}

describe('a task that defers', () => {
  it('ends its attempt as deferred with the timedelta turned into a datetime, then resumes with ctx.resume', async () => {
    const run = await h.seedRun();
    const ti = h.attempt(run, 'wait_then_report');
    const before = Date.now();
    expect(await runTask(await h.queue(ti), h.runnerDeps())).toEqual({ kind: 'finished', state: 'deferred' });
    const deferred = await h.ti(ti);
    expect(deferred).toMatchObject({ state: 'deferred', tryNumber: 1, nextMethod: 'execute_complete', nextKwargs: { started: '2025-01-01' } });
    expect(deferred!.trigger?.kind).toBe('datetime');
    const moment = new Date(deferred!.trigger!.kwargs.moment as string).getTime();
    expect(moment).toBeGreaterThanOrEqual(before + 300_000);
    expect(moment).toBeLessThan(Date.now() + 300_000 + 1);
    expect(deferred!.triggerTimeout!.getTime() - moment).toBe(3_300_000);

    // What planning does once the moment has passed: the same try resumes with the moment as the event.
    await h.metastore.updateTaskInstance(ti, { state: 'scheduled', trigger: null, nextKwargs: { started: '2025-01-01', event: 'then' } }, { state: 'deferred' });
    expect(await runTask(await h.queue(ti), h.runnerDeps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.metastore.getXCom(ti, 'return_value'))?.value).toEqual({ method: 'execute_complete', event: 'then', kwargs: { started: '2025-01-01' } });
    expect(await h.ti(ti)).toMatchObject({ state: 'success', tryNumber: 1, nextMethod: null });
  });
});

describe('the triggerer', () => {
  it('polls a custom trigger defined in the DAG bundle and resumes the task with its event', async () => {
    const run = await h.seedRun();
    const ti = h.attempt(run, 'wait_for_flag');
    expect(await runTask(await h.queue(ti), h.runnerDeps())).toEqual({ kind: 'finished', state: 'deferred' });
    const stored = await h.ti(ti);
    expect(stored!.trigger).toEqual({ kind: 'test_flag', kwargs: { ready: true } });

    const report = await triggerer.runBatch({ kind: 'RunTriggers', triggers: [toPoll(ti, stored!.trigger!)], sentAt: new Date().toISOString() });
    expect(report).toEqual({ fired: 1, failed: 0, waiting: 0, unreported: 0 });
    expect(await h.ti(ti)).toMatchObject({ state: 'scheduled', tryNumber: 1, nextMethod: 'after_flag', nextKwargs: { event: { flagged: 'wait_for_flag' } } });
    expect(h.finished).toContain(run.runId);

    expect(await runTask(await h.queue(ti), h.runnerDeps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.metastore.getXCom(ti, 'return_value'))?.value).toEqual({ flagged: 'wait_for_flag' });
  });

  it('leaves a custom trigger that has not fired alone, and fails the task when it throws or is unknown', async () => {
    const run = await h.seedRun();
    const ti = h.attempt(run, 'wait_for_flag');
    await runTask(await h.queue(ti), h.runnerDeps());
    const batch = (trigger: TriggerSpec) => ({ kind: 'RunTriggers' as const, triggers: [toPoll(ti, trigger)], sentAt: new Date().toISOString() });

    // A report about another trigger than the stored one would be refused; fake the stored one to match.
    await h.metastore.updateTaskInstance(ti, { trigger: { kind: 'test_flag', kwargs: { ready: false } } }, { state: 'deferred' });
    expect(await triggerer.runBatch(batch({ kind: 'test_flag', kwargs: { ready: false } }))).toMatchObject({ waiting: 1 });
    expect((await h.ti(ti))?.state).toBe('deferred');

    await h.metastore.updateTaskInstance(ti, { trigger: { kind: 'test_flag', kwargs: { ready: false, explode: true } } }, { state: 'deferred' });
    expect(await triggerer.runBatch(batch({ kind: 'test_flag', kwargs: { ready: false, explode: true } }))).toMatchObject({ failed: 1 });
    // The test DAG's tasks have no retries: the trigger's error fails the task.
    expect(await h.ti(ti)).toMatchObject({ state: 'failed', trigger: null, nextMethod: null });

    const other = h.attempt(await h.seedRun(), 'wait_for_flag');
    await runTask(await h.queue(other), h.runnerDeps());
    await h.metastore.updateTaskInstance(other, { trigger: { kind: 'no_such_trigger', kwargs: {} } }, { state: 'deferred' });
    const unknown = await triggerer.runBatch({ kind: 'RunTriggers', triggers: [toPoll(other, { kind: 'no_such_trigger', kwargs: {} })], sentAt: new Date().toISOString() });
    expect(unknown).toMatchObject({ failed: 1 });
    expect((await h.ti(other))?.state).toBe('failed');
  });

  it('fires an s3_key trigger (wildcard) once a matching object exists in S3', async () => {
    const bucket = uniqueName('landing').toLowerCase();
    await h.storage.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const run = await h.seedRun({ bucket });
    const ti = h.attempt(run, 'wait_for_key');
    const ds = run.logicalDate.toISOString().slice(0, 10);
    expect(await runTask(await h.queue(ti), h.runnerDeps())).toEqual({ kind: 'finished', state: 'deferred' });
    const trigger = (await h.ti(ti))!.trigger!;
    expect(trigger).toEqual({ kind: 's3_key', kwargs: { bucket, key: `drops/${ds}/*.csv`, wildcardMatch: true } });
    const batch = () => ({ kind: 'RunTriggers' as const, triggers: [toPoll(ti, trigger)], sentAt: new Date().toISOString() });

    await h.storage.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `drops/${ds}/readme.txt`, Body: 'not a csv' }));
    expect(await triggerer.runBatch(batch())).toMatchObject({ waiting: 1, fired: 0 });
    expect((await h.ti(ti))?.state).toBe('deferred');

    await h.storage.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `drops/${ds}/orders.csv`, Body: 'a,b\n1,2\n' }));
    expect(await triggerer.runBatch(batch())).toMatchObject({ fired: 1 });
    expect(await runTask(await h.queue(ti), h.runnerDeps())).toEqual({ kind: 'finished', state: 'success' });
    expect((await h.metastore.getXCom(ti, 'return_value'))?.value).toEqual({ bucket, keys: [{ key: `drops/${ds}/orders.csv`, size: 8 }] });

    // A repeated delivery of the same batch after the task resumed is refused by the API and changes nothing.
    expect(await triggerer.runBatch(batch())).toMatchObject({ unreported: 1 });
    expect((await h.ti(ti))?.state).toBe('success');
  });
});
