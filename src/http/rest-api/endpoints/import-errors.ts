import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import type { DagRecord, ImportErrorRecord } from '../../../core/model/records.ts';
import type { AuthenticatedUser } from '../../../services/auth/auth-manager.ts';
import type { Endpoint, EndpointRequest } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { matchesPattern, pageQueryShape, sortAndPage, type PageQuery, type SortFields } from '../resource-lists.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { importErrorCollectionSchema, importErrorId, importErrorResponse, importErrorResponseSchema } from '../serializers/import-error.ts';
import { authorizedDags } from './dag-lookup.ts';

const PATH = `${REST_API_PREFIX}/importErrors`;

const SORT_FIELDS: SortFields<ImportErrorRecord> = {
  id: (e) => importErrorId(e.fileloc),
  import_error_id: (e) => importErrorId(e.fileloc),
  timestamp: (e) => e.timestamp,
  filename: (e) => e.fileloc,
  bundle_name: () => null,
  stacktrace: (e) => e.message,
  stack_trace: (e) => e.message,
};

/** How much of a file's DAGs the caller may read: Airflow shows a trace only to those who may read them all. */
type FileAccess = 'all' | 'some' | 'none' | 'no-dags';

async function fileAccess(request: EndpointRequest): Promise<(fileloc: string) => FileAccess> {
  const dags = await request.deps.metastore.listDags();
  const readable = new Set((await authorizedDags(request.authManager, request.user as AuthenticatedUser, 'GET', dags)).map((dag) => dag.dagId));
  const byFile = new Map<string, DagRecord[]>();
  for (const dag of dags) byFile.set(dag.fileloc, [...(byFile.get(dag.fileloc) ?? []), dag]);
  // Airflow shows every trace to whoever may read all DAGs; a file that never defined one is theirs too.
  const readsAllDags = readable.size === dags.length;
  return (fileloc) => {
    const inFile = byFile.get(fileloc) ?? [];
    if (inFile.length === 0) return readsAllDags ? 'all' : 'no-dags';
    const count = inFile.filter((dag) => readable.has(dag.dagId)).length;
    return count === inFile.length ? 'all' : count > 0 ? 'some' : 'none';
  };
}

export const IMPORT_ERROR_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_import_errors',
    method: 'get',
    path: PATH,
    tag: 'Import Error',
    summary: 'Get Import Errors',
    description:
      'DAG files that failed to import, paged. As in Airflow, errors of files whose DAGs the caller may not read are left out, and ' +
      'the stack trace is redacted unless the caller may read every DAG the file defined (for a file that never defined one: every DAG).',
    authorization: { kind: 'view', accessView: 'IMPORT_ERRORS' },
    query: z.object({ ...pageQueryShape, filename_pattern: z.string().optional() }),
    success: { status: 200, description: 'A page of import errors.', schema: importErrorCollectionSchema },
    errors: [400],
    handle: async (request) => {
      const { c, deps, query } = request;
      const access = await fileAccess(request);
      const pattern = query.filename_pattern as string | undefined;
      const visible = (await deps.metastore.listImportErrors()).filter((e) => access(e.fileloc) !== 'none' && matchesPattern(e.fileloc, pattern));
      const { page, total } = sortAndPage(visible, query as unknown as PageQuery, SORT_FIELDS, 'id');
      return c.json({ import_errors: page.map((e) => importErrorResponse(e, access(e.fileloc) !== 'all')), total_entries: total }, 200);
    },
  },
  {
    operationId: 'get_import_error',
    method: 'get',
    path: `${PATH}/{import_error_id}`,
    tag: 'Import Error',
    summary: 'Get Import Error',
    description:
      "One import error. Its id is derived from the file's path (GET /api/v2/importErrors shows it). 403 when the caller may read " +
      'none of the DAGs of the file; the trace is redacted unless they may read them all.',
    authorization: { kind: 'view', accessView: 'IMPORT_ERRORS' },
    success: { status: 200, description: 'The import error.', schema: importErrorResponseSchema },
    errors: [404, 422],
    handle: async (request) => {
      const { c, deps, params } = request;
      const raw = params.import_error_id!;
      if (!/^\d+$/.test(raw)) {
        return c.json(
          { detail: [{ type: 'int_parsing', loc: ['path', 'import_error_id'], msg: 'Input should be a valid integer', input: raw }] },
          422,
        );
      }
      const id = Number(raw);
      const error = (await deps.metastore.listImportErrors()).find((e) => importErrorId(e.fileloc) === id);
      if (!error) {
        throw new NotFoundError(`The ImportError with import_error_id: \`${id}\` was not found. GET /api/v2/importErrors lists the current ones.`);
      }
      const access = (await fileAccess(request))(error.fileloc);
      if (access === 'none') throw new RestApiHttpError(403, 'You do not have read permission on any of the DAGs in the file.');
      return c.json(importErrorResponse(error, access !== 'all'), 200);
    },
  },
];
