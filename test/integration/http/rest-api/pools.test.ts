import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTaskInstance, type TaskInstanceRecord } from '../../../../src/core/model/records.ts';
import { POOL_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/pools.ts';
import { runningManualRun } from '../../../support/dag-runs.ts';
import { serializedTask } from '../../../support/serialized-dags.ts';
import { createResourcesHarness } from './resources-harness.ts';

describe('REST API pools', () => {
  let h: Awaited<ReturnType<typeof createResourcesHarness>>;
  let denied: Awaited<ReturnType<typeof createResourcesHarness>>;

  beforeAll(async () => {
    h = await createResourcesHarness('rest-pools', POOL_ENDPOINTS);
    denied = await createResourcesHarness('rest-pools-denied', POOL_ENDPOINTS, (kind) => kind === 'pool');
  });
  afterAll(() => {
    h.close();
    denied.close();
  });

  it('always has default_pool with 128 slots, and refuses to delete it', async () => {
    const read = await h.request('GET', '/api/v2/pools/default_pool');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ name: 'default_pool', slots: 128, include_deferred: false, open_slots: 128 });
    const removed = await h.request('DELETE', '/api/v2/pools/default_pool');
    expect(removed.status).toBe(400);
    expect((await removed.json()).detail).toContain("can't be deleted");
    expect((await h.request('POST', '/api/v2/pools', { name: 'default_pool', slots: 3 })).status).toBe(409);
  });

  it('changes only slots and include_deferred on default_pool', async () => {
    const patched = await h.request('PATCH', '/api/v2/pools/default_pool', { slots: 64 });
    expect(await patched.json()).toMatchObject({ name: 'default_pool', slots: 64, description: 'Default pool' });
    expect((await h.request('PATCH', '/api/v2/pools/default_pool', { description: 'mine' })).status).toBe(400);
  });

  it('counts the slots task instances of active runs take', async () => {
    await h.request('POST', '/api/v2/pools', { name: 'api', slots: 10, include_deferred: true });
    const tasks = ['r', 'q', 's', 'd', 'done'].map((id) => serializedTask(id, [], { pool: 'api', poolSlots: id === 'r' ? 3 : 1 }));
    const versionId = await h.seedDag('pooled', 'pooled.ts', tasks);
    const run = runningManualRun('pooled', versionId, new Date('2026-03-01T00:00:00Z'), {}, h.clock.now());
    await h.metastore.createDagRun(run);
    const states: Record<string, TaskInstanceRecord['state']> = { r: 'running', q: 'queued', s: 'scheduled', d: 'deferred', done: 'success' };
    await h.metastore.createTaskInstances(tasks.map((task) => ({ ...newTaskInstance(run, task), state: states[task.taskId]! })));

    const pool = await (await h.request('GET', '/api/v2/pools/api')).json();
    expect(pool).toEqual({
      name: 'api',
      slots: 10,
      description: null,
      include_deferred: true,
      occupied_slots: 5,
      running_slots: 3,
      queued_slots: 1,
      scheduled_slots: 1,
      open_slots: 5,
      deferred_slots: 1,
      team_name: null,
    });
  });

  it('lists pools with default_pool, filtered and paged', async () => {
    await h.request('POST', '/api/v2/pools', { name: 'batch', slots: -1 });
    const all = await (await h.request('GET', '/api/v2/pools')).json();
    expect(all.pools.map((p: { name: string }) => p.name)).toEqual(['default_pool', 'api', 'batch']);
    expect(all.pools.find((p: { name: string }) => p.name === 'batch')).toMatchObject({ slots: -1, open_slots: -1 });
    const filtered = await (await h.request('GET', '/api/v2/pools?pool_name_pattern=bat')).json();
    expect(filtered).toMatchObject({ total_entries: 1, pools: [{ name: 'batch' }] });
  });

  it('updates, renames never, and deletes a pool', async () => {
    await h.request('POST', '/api/v2/pools', { name: 'temp', slots: 2, description: 'short-lived' });
    const patched = await h.request('PATCH', '/api/v2/pools/temp?update_mask=slots', { slots: 4, description: 'ignored' });
    expect(await patched.json()).toMatchObject({ slots: 4, description: 'short-lived' });
    expect((await h.request('PATCH', '/api/v2/pools/temp', { name: 'renamed' })).status).toBe(400);
    expect((await h.request('DELETE', '/api/v2/pools/temp')).status).toBe(204);
    expect((await h.request('GET', '/api/v2/pools/temp')).status).toBe(404);
    expect((await h.request('DELETE', '/api/v2/pools/temp')).status).toBe(404);
    expect((await h.request('PATCH', '/api/v2/pools/temp', { slots: 1 })).status).toBe(404);
  });

  it('validates bodies (422)', async () => {
    const invalid = await h.request('POST', '/api/v2/pools', { name: 'neg', slots: -5 });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail[0].loc).toEqual(['body', 'slots']);
  });

  it('is guarded: 401 without a token, 403 when the auth manager refuses', async () => {
    expect((await h.app.request('/api/v2/pools')).status).toBe(401);
    expect((await denied.request('DELETE', '/api/v2/pools/x')).status).toBe(403);
    expect(denied.authManager.checks.at(-1)).toMatchObject({ kind: 'pool', request: { method: 'DELETE', id: 'x' } });
  });
});
