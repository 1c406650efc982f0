import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/tasks.ts';
import { serializedDag, serializedTask } from '../../../support/serialized-dags.ts';
import { TestAuthManager } from '../../../support/test-auth-manager.ts';
import { createTaskInstanceHarness, saveDag, type TaskInstanceHarness } from './task-instances-harness.ts';

let h: TaskInstanceHarness;
const headers = TestAuthManager.headers();

const etl = serializedDag(
  'etl',
  [
    serializedTask('extract', [], { operator: 'taskflow', priorityWeight: 5, doc: 'Pulls the orders.' }),
    serializedTask('transform', ['extract'], { retries: 3, retryDelaySeconds: 90, retryExponentialBackoff: true, executionTimeoutSeconds: 93_784.5 }),
    serializedTask('load', ['transform'], { pool: 'db', poolSlots: 2, triggerRule: 'all_done', templateFields: { bashCommand: 'load {{ ds }}', env: {} } }),
    serializedTask('audit', ['extract'], { operator: 'empty', weightRule: 'upstream', dependsOnPast: true, waitForDownstream: true }),
  ],
  { startDate: '2026-01-01T00:00:00.000Z', params: { region: { default: 'eu', type: 'string', description: 'sales region' } } },
);

beforeAll(async () => {
  h = await createTaskInstanceHarness('tasks-api', {
    endpoints: TASK_ENDPOINTS,
    auth: new TestAuthManager((kind, request) => kind === 'dag' && 'dagId' in request && request.dagId === 'secret_dag'),
  });
  await saveDag(h, etl);
  await saveDag(h, serializedDag('secret_dag', [serializedTask('x')]));
});
afterAll(() => h.close());

const getJson = async (path: string, init: RequestInit = { headers }) => {
  const response = await h.app.request(path, init);
  // Bodies are asserted field by field against Airflow's TaskResponse.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
};

describe('GET /api/v2/dags/{dag_id}/tasks', () => {
  it("lists the latest version's tasks in task_id order, unpaged", async () => {
    const { status, body } = await getJson('/api/v2/dags/etl/tasks');
    expect(status).toBe(200);
    expect(body.total_entries).toBe(4);
    expect(body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual(['audit', 'extract', 'load', 'transform']);
    expect(body.tasks[1]).toEqual({
      task_id: 'extract',
      task_display_name: 'extract',
      owner: null,
      start_date: '2026-01-01T00:00:00.000Z',
      end_date: null,
      trigger_rule: 'all_success',
      depends_on_past: false,
      wait_for_downstream: false,
      retries: 0,
      queue: null,
      pool: 'default_pool',
      pool_slots: 1,
      execution_timeout: null,
      retry_delay: { __type: 'TimeDelta', days: 0, seconds: 300, microseconds: 0 },
      retry_exponential_backoff: false,
      priority_weight: 5,
      weight_rule: 'downstream',
      ui_color: null,
      ui_fgcolor: null,
      template_fields: [],
      downstream_task_ids: ['audit', 'transform'],
      doc_md: 'Pulls the orders.',
      operator_name: '@task',
      params: { region: { value: 'eu', description: 'sales region', schema: { type: 'string' }, source: null } },
      class_ref: { module_path: 'updraft/sdk', class_name: 'TaskflowOperator' },
      is_mapped: false,
      has_outlets: false,
      extra_links: [],
    });
  });

  it("shows a task's weight rule and past dependencies as Airflow does (own weight, not the effective one)", async () => {
    const { body } = await getJson('/api/v2/dags/etl/tasks');
    expect(body.tasks[0]).toMatchObject({ task_id: 'audit', priority_weight: 1, weight_rule: 'upstream', depends_on_past: true, wait_for_downstream: true });
  });

  it('orders by another field, descending with "-", task_id breaking ties', async () => {
    const byWeight = await getJson('/api/v2/dags/etl/tasks?order_by=-priority_weight');
    expect(byWeight.body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual(['extract', 'audit', 'load', 'transform']);
    const byRetries = await getJson('/api/v2/dags/etl/tasks?order_by=-retries');
    expect(byRetries.body.tasks[0].task_id).toBe('transform');
  });

  it('refuses an order_by field that tasks do not have (400, naming the allowed ones)', async () => {
    const { status, body } = await getJson('/api/v2/dags/etl/tasks?order_by=colour');
    expect(status).toBe(400);
    expect(body.detail).toContain("Ordering with 'colour' is disallowed");
    expect(body.detail).toContain('priority_weight');
  });

  it('answers 404 for a DAG that does not exist', async () => {
    const { status, body } = await getJson('/api/v2/dags/nope/tasks');
    expect(status).toBe(404);
    expect(body.detail).toContain('Dag with id: nope was not found');
  });

  it("asks the auth manager for the DAG's TASK entity, and answers 403 when refused, 401 without a token", async () => {
    h.authManager.checks.length = 0;
    await getJson('/api/v2/dags/etl/tasks');
    expect(h.authManager.checks).toEqual([
      { kind: 'dag', request: expect.objectContaining({ method: 'GET', accessEntity: 'TASK', dagId: 'etl' }) },
    ]);
    expect((await getJson('/api/v2/dags/secret_dag/tasks')).status).toBe(403);
    expect((await h.app.request('/api/v2/dags/etl/tasks')).status).toBe(401);
  });
});

describe('GET /api/v2/dags/{dag_id}/tasks/{task_id}', () => {
  it('shows one task: durations as TimeDelta, downstream ids, template fields', async () => {
    const transform = await getJson('/api/v2/dags/etl/tasks/transform');
    expect(transform.status).toBe(200);
    expect(transform.body).toMatchObject({
      task_id: 'transform',
      retries: 3,
      retry_delay: { __type: 'TimeDelta', days: 0, seconds: 90, microseconds: 0 },
      retry_exponential_backoff: true,
      execution_timeout: { __type: 'TimeDelta', days: 1, seconds: 7384, microseconds: 500_000 },
      downstream_task_ids: ['load'],
      operator_name: 'BashOperator',
    });
    const load = await getJson('/api/v2/dags/etl/tasks/load');
    expect(load.body).toMatchObject({ pool: 'db', pool_slots: 2, trigger_rule: 'all_done', template_fields: ['bashCommand', 'env'], downstream_task_ids: [] });
    const audit = await getJson('/api/v2/dags/etl/tasks/audit');
    expect(audit.body.class_ref).toEqual({ module_path: 'updraft/sdk', class_name: 'EmptyOperator' });
  });

  it('answers 404 for a task the DAG does not have, naming the ones it has', async () => {
    const { status, body } = await getJson('/api/v2/dags/etl/tasks/publish');
    expect(status).toBe(404);
    expect(body.detail).toContain('Task with id publish was not found');
    expect(body.detail).toContain('extract, transform, load, audit');
    expect((await getJson('/api/v2/dags/nope/tasks/x')).status).toBe(404);
  });

  it('is guarded like the list', async () => {
    expect((await getJson('/api/v2/dags/secret_dag/tasks/x')).status).toBe(403);
    expect((await h.app.request('/api/v2/dags/etl/tasks/extract')).status).toBe(401);
  });
});
