export { createRestApiApp, type RestApiDeps } from './app.ts';
export { serveRestApi, type ServedApi } from './serve.ts';
export { loadRestApiConfig, restApiEnvironmentSchema, type RestApiConfig } from './lambda-config.ts';
export { errorResponse, RestApiHttpError } from './error-responses.ts';
export {
  checkHealth,
  DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS,
  schedulerStatus,
  type HealthThresholds,
} from './health.ts';
export { honoPath, methodsForPath, OPERATION_IDS, REST_API_PREFIX, ROUTES, type OperationId, type RouteSpec } from './routes.ts';
export {
  errorBodySchema,
  healthInfoSchema,
  versionInfoSchema,
  type ErrorBody,
  type HealthInfo,
  type VersionInfo,
} from './response-schemas.ts';
export { UPDRAFT_VERSION } from './package-version.ts';
