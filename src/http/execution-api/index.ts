export { API_VERSION_HEADER, createExecutionApiApp, HEAD_API_VERSION, type ExecutionApiDeps } from './app.ts';
export { serveExecutionApi, type ServedApi } from './serve.ts';
export { loadExecutionApiConfig, type ExecutionApiConfig } from './lambda-config.ts';
export { executionApiVersions, OLDEST_API_VERSION } from './versioning/api-versions.ts';
export { UnsupportedApiVersionError } from './versioning/unsupported-version-error.ts';
export type { ApiVersion, VersionChange } from './versioning/version-change.ts';
export { buildOpenApiDocument, renderOpenApiDocument } from './openapi.ts';
