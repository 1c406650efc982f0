import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import { DAG_PREFIX } from '../../../core/model/bucket-layout.ts';
import type { Endpoint } from '../endpoint.ts';
import { RestApiHttpError } from '../error-responses.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { requireDag } from './dag-lookup.ts';

/** Airflow's DAGSourceResponse. */
export const dagSourceResponseSchema = z.object({
  content: z.string().nullable(),
  dag_id: z.string(),
  version_number: z.number().int().nullable(),
  dag_display_name: z.string(),
});

type SourceFormat = 'json' | 'text';

/** The format the Accept header asks for; Airflow answers JSON unless text/plain is preferred. */
function acceptedFormat(accept: string | undefined): SourceFormat | null {
  if (!accept || accept.trim() === '') return 'json';
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  for (const type of types) {
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
    if (type === 'text/plain' || type === 'text/*') return 'text';
  }
  return null;
}

export const DAG_SOURCE_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_dag_source',
    method: 'get',
    path: `${REST_API_PREFIX}/dagSources/{dag_id}`,
    tag: 'DagSource',
    summary: 'Get Dag Source',
    description:
      'The source of the DAG file as it is now in the bucket (dags/<fileloc>). `Accept: text/plain` returns the text alone. ' +
      'Updraft names DAG versions by content hash, not number: `version_number` is null, and asking for one answers 404.',
    authorization: { kind: 'dag', method: 'GET', accessEntity: 'CODE', dagIdParam: 'dag_id' },
    query: z.object({ version_number: z.coerce.number().int().optional() }),
    success: { status: 200, description: 'The DAG file source.', schema: dagSourceResponseSchema },
    errors: [404],
    handle: async ({ c, deps, params, query }) => {
      const dagId = params.dag_id!;
      const format = acceptedFormat(c.req.header('accept'));
      if (!format) throw new RestApiHttpError(406, 'Content not available for Accept header: ask for application/json or text/plain.');
      const versionNumber = query.version_number as number | undefined;
      if (versionNumber !== undefined) {
        throw new NotFoundError(
          `The source code of the DAG ${dagId}, version_number ${versionNumber} was not found: Updraft keeps the current source of a DAG ` +
            'file only. Leave out version_number.',
        );
      }
      const dag = await requireDag(deps, dagId);
      const content = await deps.objectStore.getText(`${DAG_PREFIX}${dag.fileloc}`);
      if (content === null) {
        throw new NotFoundError(`The source code of the DAG ${dagId} was not found: its file dags/${dag.fileloc} is no longer in the bucket.`);
      }
      if (format === 'text') return c.text(content, 200);
      return c.json({ content, dag_id: dagId, version_number: null, dag_display_name: dagId }, 200);
    },
  },
];
