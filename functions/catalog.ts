import type { z } from 'zod';
import type { FunctionName } from '../src/core/deployment/function-names.ts';
import { dagProcessorEnvironmentSchema } from '../src/services/dag-processing/lambda-config.ts';
import { executionApiEnvironmentSchema } from '../src/http/execution-api/lambda-config.ts';
import { restApiEnvironmentSchema } from '../src/http/rest-api/lambda-config.ts';
import { schedulerEnvironmentSchema } from '../src/services/scheduler/lambda-config.ts';
import { workerEnvironmentSchema } from '../src/services/task-runner/worker-config.ts';
import { triggererEnvironmentSchema } from '../src/services/triggerer/triggerer-config.ts';

/** What the deployment needs to know about one Lambda function. */
export interface FunctionSpec {
  name: FunctionName;
  /** The entry module, relative to the repository root. */
  entry: string;
  description: string;
  /**
   * The function's `UPDRAFT_*` variables: the same strict schema the entry validates at cold start. The
   * stack's environment for the function must satisfy it exactly (a test checks every function).
   */
  environmentSchema: z.ZodObject;
  /**
   * Whether the function reads Updraft's layered configuration (`UPDRAFT__<SECTION>__<KEY>`): only those
   * functions get the deployment's configuration variables.
   */
  readsUpdraftConfig: boolean;
  /**
   * Besides the entry's bundle, the DAG processor needs what it runs at parse time: the parse child, the
   * SDK that DAG files import and esbuild itself (as WebAssembly, so one bundle runs on every platform).
   */
  bundlesDagParsing: boolean;
}

/** Every function, once; the CDK stack creates one Lambda function per entry. */
export const FUNCTION_CATALOG: Record<FunctionName, FunctionSpec> = {
  scheduler: {
    name: 'scheduler',
    entry: 'functions/scheduler.ts',
    description: 'Scheduler tick: creates due runs, queues ready tasks, times out lost ones (EventBridge, every minute)',
    environmentSchema: schedulerEnvironmentSchema,
    readsUpdraftConfig: true,
    bundlesDagParsing: false,
  },
  'dag-processor': {
    name: 'dag-processor',
    entry: 'functions/dag-processor.ts',
    description: 'DAG processor: parses DAG files uploaded under dags/ into serialized DAGs',
    environmentSchema: dagProcessorEnvironmentSchema,
    readsUpdraftConfig: true,
    bundlesDagParsing: true,
  },
  worker: {
    name: 'worker',
    entry: 'functions/worker.ts',
    description: 'Worker: runs task attempts delivered by the task queue (lambda executor)',
    environmentSchema: workerEnvironmentSchema,
    readsUpdraftConfig: false,
    bundlesDagParsing: false,
  },
  'execution-api': {
    name: 'execution-api',
    entry: 'functions/execution-api.ts',
    description: 'Task Execution API: the only way task code reaches Updraft state',
    environmentSchema: executionApiEnvironmentSchema,
    readsUpdraftConfig: true,
    bundlesDagParsing: false,
  },
  triggerer: {
    name: 'triggerer',
    entry: 'functions/triggerer.ts',
    description: 'Triggerer: polls the triggers of deferred tasks that each scheduler tick sends (trigger queue)',
    environmentSchema: triggererEnvironmentSchema,
    readsUpdraftConfig: false,
    bundlesDagParsing: false,
  },
  'rest-api': {
    name: 'rest-api',
    entry: 'functions/rest-api.ts',
    description: 'REST API (Airflow REST API v2)',
    environmentSchema: restApiEnvironmentSchema,
    readsUpdraftConfig: true,
    bundlesDagParsing: false,
  },
};
