import { checkHealth, DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS } from '../health.ts';
import type { Endpoint } from '../endpoint.ts';
import { healthInfoSchema, versionInfoSchema, type VersionInfo } from '../response-schemas.ts';
import { REST_API_PREFIX } from '../routes.ts';

/** What Airflow serves without a token: the health of each component, and the version. */
export const MONITOR_ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'get_health',
    method: 'get',
    path: `${REST_API_PREFIX}/monitor/health`,
    tag: 'Monitor',
    summary: 'Get Health',
    description:
      'The status of the metadatabase, the scheduler, the triggerer and the DAG processor. Always 200: read each ' +
      "component's status. The scheduler is healthy while its latest heartbeat is younger than the threshold " +
      '(180 s by default; the scheduler ticks every minute in AWS). Updraft has no triggerer, and its DAG ' +
      'processor runs on S3 events without a heartbeat: both report a null status.',
    authorization: { kind: 'public' },
    success: { status: 200, description: 'The health of each component.', schema: healthInfoSchema },
    errors: [],
    handle: async ({ c, deps }) =>
      c.json(
        await checkHealth({
          metastore: deps.metastore,
          clock: deps.clock,
          logger: deps.logger,
          thresholds: { schedulerSeconds: deps.healthThresholds?.schedulerSeconds ?? DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS },
        }),
        200,
      ),
  },
  {
    operationId: 'get_version',
    method: 'get',
    path: `${REST_API_PREFIX}/version`,
    tag: 'Version',
    summary: 'Get Version',
    description: 'The Updraft version this API runs. `git_version` is null: deployments are built from the package, not a checkout.',
    authorization: { kind: 'public' },
    success: { status: 200, description: 'The version.', schema: versionInfoSchema },
    errors: [],
    handle: ({ c, deps }) => c.json({ version: deps.version, git_version: null } satisfies VersionInfo, 200),
  },
];
