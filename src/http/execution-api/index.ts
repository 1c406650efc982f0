export { API_VERSION_HEADER, createExecutionApiApp, HEAD_API_VERSION, type ExecutionApiDeps } from './app.ts';
export { serveExecutionApi, type ServedApi } from './serve.ts';
export { loadExecutionApiConfig, type ExecutionApiConfig } from './lambda-config.ts';
