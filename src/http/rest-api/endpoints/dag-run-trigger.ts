import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import { runIdFor } from '../../../core/model/keys.ts';
import type { DagRunRecord } from '../../../core/model/records.ts';
import { deserializeTimetable } from '../../../core/timetables/deserialize.ts';
import { validateConfAgainstParams } from '../../../services/dag-runs/validate-conf.ts';
import type { Endpoint } from '../endpoint.ts';
import { REST_API_PREFIX } from '../routes.ts';
import { dagRunSchema, serializeDagRun } from '../serializers/dag-run.ts';
import { dagVersionOrNull, filesWithImportErrors } from './dag-lookup.ts';

const awareInstant = z.iso.datetime({ offset: true });

/** Airflow's TriggerDAGRunPostBody: `logical_date` must be sent, and may be null. */
export const triggerDagRunBody = z
  .strictObject({
    dag_run_id: z.string().min(1).max(250).nullable().optional(),
    data_interval_start: awareInstant.nullable().optional(),
    data_interval_end: awareInstant.nullable().optional(),
    logical_date: awareInstant.nullable(),
    run_after: awareInstant.nullable().optional(),
    conf: z.record(z.string(), z.unknown()).nullable().optional(),
    note: z.string().max(1000).nullable().optional(),
  })
  .refine((body) => (body.data_interval_start == null) === (body.data_interval_end == null), {
    message: 'Either both data_interval_start and data_interval_end must be provided or both must be None',
    path: ['data_interval_start'],
  });

type TriggerBody = z.infer<typeof triggerDagRunBody>;

/** Airflow's default `allowed_run_id_pattern`; it also keeps `#` (a key separator) and `/` out of run ids. */
const RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;

export const TRIGGER_DAG_RUN_ENDPOINT: Endpoint = {
  operationId: 'trigger_dag_run',
  method: 'post',
  path: `${REST_API_PREFIX}/dags/{dag_id}/dagRuns`,
  tag: 'DagRun',
  summary: 'Trigger Dag Run',
  description:
    'Creates a manual run in queued; the scheduler starts it within max_active_runs (a paused DAG keeps it queued). ' +
    '`conf` is checked against the DAG\'s params (400 names the param). Updraft runs always have a logical date: ' +
    'a null `logical_date` takes `run_after` (default now).',
  authorization: { kind: 'dag', method: 'POST', accessEntity: 'RUN', dagIdParam: 'dag_id' },
  body: triggerDagRunBody,
  success: { status: 200, description: 'The run created.', schema: dagRunSchema },
  errors: [400, 404, 409],
  handle: async ({ c, deps, params, body }) => {
    const request = body as TriggerBody;
    const dagId = params.dag_id!;
    const dag = await deps.metastore.getDag(dagId);
    if (!dag || !dag.isActive) {
      throw new NotFoundError(
        `DAG with dag_id: '${dagId}' not found${dag ? ' among active DAGs (its file was deleted or no longer defines it)' : ''}. ` +
          'Check the DAG id, and that its file is under dags/ and parses.',
      );
    }
    if ((await filesWithImportErrors(deps)).has(dag.fileloc)) {
      throw new ValidationError(
        `DAG with dag_id: '${dagId}' has import errors and cannot be triggered. GET /api/v2/importErrors shows them; fix the file ${dag.fileloc}.`,
      );
    }
    const version = await dagVersionOrNull(deps, dag.dagId, dag.latestVersionId);
    if (!version) throw new NotFoundError(`DAG "${dagId}" has no parsed version yet; wait for its file to be parsed, then trigger again.`);
    const conf = request.conf ?? {};
    validateConfAgainstParams(version.serialized.params, conf);

    const now = deps.clock.now();
    let runAfter = request.run_after ? new Date(request.run_after) : now;
    const logicalDate = request.logical_date ? new Date(request.logical_date) : runAfter;
    let dataInterval: DagRunRecord['dataInterval'];
    if (request.data_interval_start && request.data_interval_end) {
      dataInterval = { start: new Date(request.data_interval_start), end: new Date(request.data_interval_end) };
      if (dataInterval.start > dataInterval.end) {
        throw new ValidationError('data_interval_start is after data_interval_end. Send an interval whose start is not after its end.');
      }
    } else {
      dataInterval = deserializeTimetable(version.serialized.timetable).inferManualDataInterval(logicalDate);
      // As Airflow: a run for a given logical date is due once its inferred interval has ended.
      if (request.logical_date) runAfter = dataInterval.end;
    }
    const runId = request.dag_run_id ?? runIdFor('manual', logicalDate);
    if (!RUN_ID_PATTERN.test(runId)) {
      throw new ValidationError(
        `The run id "${runId}" is not allowed: use letters, digits and _ . ~ : + - only.`,
        'dag_run_id',
      );
    }
    const run: DagRunRecord = {
      dagId,
      runId,
      state: 'queued',
      runType: 'manual',
      logicalDate,
      dataInterval,
      runAfter,
      versionId: dag.latestVersionId,
      conf,
      queuedAt: now,
      startDate: null,
      endDate: null,
      revision: 0,
    };
    if (!(await deps.metastore.createDagRun(run))) {
      throw new ConflictError(
        `DAG "${dagId}" already has a run with id "${runId}". Pass another dag_run_id or logical_date to trigger a new run.`,
        null,
      );
    }
    const note = request.note ?? null;
    const stored = note !== null ? await deps.metastore.setDagRunNote(run, note) : { run: (await deps.metastore.getDagRun(run)) ?? run, note };
    deps.logger.info('Triggered DAG run', { dag_id: dagId, run_id: runId });
    return c.json(serializeDagRun(stored.run, stored.note, version), 200);
  },
};
