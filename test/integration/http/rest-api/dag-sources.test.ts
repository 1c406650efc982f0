import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAG_SOURCE_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/dag-sources.ts';
import { createResourcesHarness } from './resources-harness.ts';

const SOURCE = "import { dag } from 'updraft/sdk';\nexport default dag('etl', {});\n";

describe('REST API DAG sources', () => {
  let h: Awaited<ReturnType<typeof createResourcesHarness>>;
  let denied: Awaited<ReturnType<typeof createResourcesHarness>>;

  beforeAll(async () => {
    h = await createResourcesHarness('rest-dag-sources', DAG_SOURCE_ENDPOINTS);
    denied = await createResourcesHarness('rest-dag-sources-denied', DAG_SOURCE_ENDPOINTS, (kind) => kind === 'dag');
    await h.seedDag('etl', 'team/etl.ts');
    await h.objectStore.put('dags/team/etl.ts', SOURCE, 'text/plain');
    await h.seedDag('orphan', 'deleted.ts');
  });
  afterAll(() => {
    h.close();
    denied.close();
  });

  it('returns the DAG file source as JSON', async () => {
    const response = await h.request('GET', '/api/v2/dagSources/etl');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ content: SOURCE, dag_id: 'etl', version_number: null, dag_display_name: 'etl' });
  });

  it('returns the text alone for Accept: text/plain, 406 for a type it cannot give', async () => {
    const text = await h.request('GET', '/api/v2/dagSources/etl', undefined, { Accept: 'text/plain' });
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(await text.text()).toBe(SOURCE);
    expect((await h.request('GET', '/api/v2/dagSources/etl', undefined, { Accept: 'image/png' })).status).toBe(406);
  });

  it('answers 404 for an unknown DAG, a file no longer in the bucket, and a version number', async () => {
    expect((await h.request('GET', '/api/v2/dagSources/nope')).status).toBe(404);
    const gone = await h.request('GET', '/api/v2/dagSources/orphan');
    expect(gone.status).toBe(404);
    expect((await gone.json()).detail).toContain('dags/deleted.ts');
    expect((await h.request('GET', '/api/v2/dagSources/etl?version_number=1')).status).toBe(404);
  });

  it('is guarded by the CODE access of the DAG', async () => {
    expect((await h.app.request('/api/v2/dagSources/etl')).status).toBe(401);
    expect((await denied.request('GET', '/api/v2/dagSources/etl')).status).toBe(403);
    expect(denied.authManager.checks.at(-1)).toMatchObject({ kind: 'dag', request: { method: 'GET', accessEntity: 'CODE', dagId: 'etl' } });
  });
});
