/**
 * Updraft's functions, by the name both the CDK stack and the local runtime use for them. Each has one
 * entry under functions/ (see functions/catalog.ts for the entry files and their environment schemas).
 */
export const FUNCTION_NAMES = ['scheduler', 'dag-processor', 'worker', 'execution-api', 'rest-api', 'triggerer'] as const;

export type FunctionName = (typeof FUNCTION_NAMES)[number];
