import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_ERROR_ENDPOINTS } from '../../../../src/http/rest-api/endpoints/import-errors.ts';
import { REDACTED_STACK_TRACE } from '../../../../src/http/rest-api/serializers/import-error.ts';
import { createResourcesHarness } from './resources-harness.ts';

interface ImportErrorJson {
  import_error_id: number;
  filename: string;
  stack_trace: string;
  bundle_name: string;
  timestamp: string;
}

describe('REST API import errors', () => {
  let h: Awaited<ReturnType<typeof createResourcesHarness>>;
  // This user may read every DAG except "secret".
  let partial: Awaited<ReturnType<typeof createResourcesHarness>>;
  let noView: Awaited<ReturnType<typeof createResourcesHarness>>;

  const seed = async (harness: Awaited<ReturnType<typeof createResourcesHarness>>) => {
    await harness.seedDag('open', 'shared.ts');
    await harness.seedDag('secret', 'shared.ts');
    await harness.seedDag('only_open', 'open.ts');
    await harness.seedDag('only_secret', 'hidden.ts');
    const at = harness.clock.now();
    for (const fileloc of ['shared.ts', 'open.ts', 'hidden.ts', 'new.ts']) {
      await harness.metastore.putImportError({ fileloc, message: `SyntaxError in ${fileloc}`, line: 3, timestamp: at });
    }
  };

  beforeAll(async () => {
    h = await createResourcesHarness('rest-import-errors', IMPORT_ERROR_ENDPOINTS);
    partial = await createResourcesHarness('rest-import-errors-partial', IMPORT_ERROR_ENDPOINTS, (kind, request) =>
      kind === 'dag' && 'dagId' in request && (request.dagId === 'secret' || request.dagId === 'only_secret'),
    );
    noView = await createResourcesHarness('rest-import-errors-noview', IMPORT_ERROR_ENDPOINTS, (kind) => kind === 'view');
    await Promise.all([seed(h), seed(partial)]);
  });
  afterAll(() => {
    h.close();
    partial.close();
    noView.close();
  });

  it('lists import errors with stable integer ids', async () => {
    const body = await (await h.request('GET', '/api/v2/importErrors?order_by=filename')).json();
    expect(body.total_entries).toBe(4);
    const open = body.import_errors.find((e: ImportErrorJson) => e.filename === 'open.ts');
    expect(open).toEqual({
      import_error_id: expect.any(Number),
      timestamp: '2026-03-01T10:00:00.000Z',
      filename: 'open.ts',
      bundle_name: 'dags-folder',
      stack_trace: 'open.ts:3\nSyntaxError in open.ts',
    });
    const again = await (await h.request('GET', `/api/v2/importErrors/${open.import_error_id}`)).json();
    expect(again).toEqual(open);
    // A file that never defined a DAG: its trace is shown to whoever may read every DAG, as Airflow shows them all.
    expect(body.import_errors.find((e: ImportErrorJson) => e.filename === 'new.ts').stack_trace).toBe('new.ts:3\nSyntaxError in new.ts');
  });

  it('hides errors of files the user may read no DAG of, and redacts partly readable ones', async () => {
    const body = await (await partial.request('GET', '/api/v2/importErrors')).json();
    const byFile = Object.fromEntries(body.import_errors.map((e: ImportErrorJson) => [e.filename, e.stack_trace]));
    expect(Object.keys(byFile).sort()).toEqual(['new.ts', 'open.ts', 'shared.ts']);
    expect(body.total_entries).toBe(3);
    expect(byFile['shared.ts']).toBe(REDACTED_STACK_TRACE);
    expect(byFile['open.ts']).toContain('SyntaxError');
    // This user may not read every DAG, so a file that never defined one keeps its trace hidden.
    expect(byFile['new.ts']).toBe(REDACTED_STACK_TRACE);

    const all = await (await h.request('GET', '/api/v2/importErrors')).json();
    const hidden = all.import_errors.find((e: ImportErrorJson) => e.filename === 'hidden.ts');
    const refused = await partial.request('GET', `/api/v2/importErrors/${hidden.import_error_id}`);
    expect(refused.status).toBe(403);
  });

  it('answers 404 for an unknown id and 422 for a non-integer one', async () => {
    expect((await h.request('GET', '/api/v2/importErrors/12345')).status).toBe(404);
    const invalid = await h.request('GET', '/api/v2/importErrors/abc');
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail[0].loc).toEqual(['path', 'import_error_id']);
  });

  it('filters by filename_pattern', async () => {
    const body = await (await h.request('GET', '/api/v2/importErrors?filename_pattern=OPEN')).json();
    expect(body.import_errors.map((e: ImportErrorJson) => e.filename)).toEqual(['open.ts']);
  });

  it('is guarded: 401 without a token, 403 without the IMPORT_ERRORS view', async () => {
    expect((await h.app.request('/api/v2/importErrors')).status).toBe(401);
    expect((await noView.request('GET', '/api/v2/importErrors')).status).toBe(403);
    expect(noView.authManager.checks.at(-1)).toMatchObject({ kind: 'view', request: { accessView: 'IMPORT_ERRORS' } });
  });
});
