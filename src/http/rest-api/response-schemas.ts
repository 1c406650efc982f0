import { z } from 'zod';

/**
 * Answers of the REST API in zod, in Airflow's REST API v2 snake_case shapes, so that the OpenAPI document
 * (issue #6) can describe them. The handlers build TypeScript types; the checks at the end keep both in step.
 */

const componentStatus = z.enum(['healthy', 'unhealthy']);
/** Airflow reports null for a component that has never run (no job row); Updraft has no triggerer at all. */
const optionalComponentStatus = componentStatus.nullable();
const isoInstantOrNull = z.iso.datetime({ offset: true }).nullable();

export const healthInfoSchema = z.object({
  metadatabase: z.object({ status: componentStatus }),
  scheduler: z.object({
    status: optionalComponentStatus,
    latest_scheduler_heartbeat: isoInstantOrNull,
  }),
  triggerer: z.object({
    status: optionalComponentStatus,
    latest_triggerer_heartbeat: isoInstantOrNull,
  }),
  dag_processor: z.object({
    status: optionalComponentStatus,
    latest_dag_processor_heartbeat: isoInstantOrNull,
  }),
});

export const versionInfoSchema = z.object({
  version: z.string(),
  git_version: z.string().nullable(),
});

/** Airflow's error body: FastAPI's `HTTPException` renders `{ "detail": "<message>" }`. */
export const errorBodySchema = z.object({ detail: z.string() });

/** FastAPI's 422 body: one entry per invalid value, `loc` naming where (`["query", "limit"]`, `["body", "conf"]`). */
export const validationErrorBodySchema = z.object({
  detail: z.array(
    z.object({ type: z.string(), loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), input: z.unknown() }),
  ),
});

export type ComponentStatus = z.infer<typeof componentStatus>;
export type HealthInfo = z.infer<typeof healthInfoSchema>;
export type VersionInfo = z.infer<typeof versionInfoSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
export type ValidationErrorBody = z.infer<typeof validationErrorBodySchema>;
