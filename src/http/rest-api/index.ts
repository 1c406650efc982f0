export { createRestApiApp, type RestApiDeps } from './app.ts';
export { serveRestApi, type ServedApi } from './serve.ts';
export { loadRestApiConfig, restApiEnvironmentSchema, type RestApiConfig } from './lambda-config.ts';
export { errorResponse, RestApiHttpError, validationErrorResponse } from './error-responses.ts';
export {
  checkHealth,
  DEFAULT_SCHEDULER_HEALTH_THRESHOLD_SECONDS,
  schedulerStatus,
  type HealthThresholds,
} from './health.ts';
export { checkEndpoints, honoPath, methodsForPath, REST_API_PREFIX } from './routes.ts';
export type { Authorization, Endpoint, EndpointRequest } from './endpoint.ts';
export { ALL_ENDPOINTS } from './endpoints/index.ts';
export { authenticate, authorize, requestToken, TOKEN_COOKIE } from './authorization.ts';
export {
  errorBodySchema,
  validationErrorBodySchema,
  healthInfoSchema,
  versionInfoSchema,
  type ErrorBody,
  type ValidationErrorBody,
  type HealthInfo,
  type VersionInfo,
} from './response-schemas.ts';
export { UPDRAFT_VERSION } from './package-version.ts';
