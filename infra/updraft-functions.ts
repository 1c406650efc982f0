import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_CATALOG } from '../functions/catalog.ts';
import { FUNCTION_NAMES, type FunctionName } from '../src/core/deployment/function-names.ts';
import { FUNCTION_HANDLER, functionCode } from './function-bundles.ts';
import type { StackConfig } from './stack-config.ts';

/** Memory, timeout and reserved concurrency of each function. */
export interface FunctionSizing {
  memoryMb: number;
  timeout: Duration;
  /** Reserved concurrency, where it protects something; undefined leaves the function on the account's pool. */
  reservedConcurrency?: number;
}

/**
 * The worker's reserved concurrency is `parallelism`: the lambda executor queues past its slots and the
 * queue holds the excess, so this is what bounds the tasks running at once. The HTTP functions answer
 * within API Gateway's 30 s integration limit. The scheduler's timeout is long: a tick that overlaps the
 * next is safe (conditional writes), one cut short merely leaves work for the next tick.
 */
export function functionSizing(config: StackConfig): Record<FunctionName, FunctionSizing> {
  return {
    scheduler: { memoryMb: 1024, timeout: Duration.minutes(5) },
    // A full vCPU (1769 MB) for esbuild, which runs as WebAssembly here.
    'dag-processor': { memoryMb: 1769, timeout: Duration.minutes(5) },
    worker: { memoryMb: config.workerMemoryMb, timeout: Duration.seconds(config.workerTimeoutSeconds), reservedConcurrency: config.parallelism },
    'execution-api': { memoryMb: 1024, timeout: Duration.seconds(29) },
    'rest-api': { memoryMb: 512, timeout: Duration.seconds(29) },
    // One batch of at most 25 triggers per invocation, each poll limited to 10 s, 10 at a time.
    triggerer: { memoryMb: 512, timeout: Duration.minutes(2) },
  };
}

export interface UpdraftFunctionsProps {
  stage: string;
  config: StackConfig;
  logRetention: RetentionDays;
  /** Each function's environment variables (see function-environment.ts). */
  environments: Record<FunctionName, Record<string, string>>;
}

/**
 * One Lambda function per entry of the catalog, each with its own role (which starts with no permission
 * but writing its own log group; the stack grants the rest) and its own log group with retention.
 * ARM64 and Node 24; code bundled by esbuild (function-bundles.ts).
 */
export class UpdraftFunctions extends Construct {
  readonly functions: Record<FunctionName, LambdaFunction>;
  readonly roles: Record<FunctionName, Role>;
  readonly logGroups: Record<FunctionName, LogGroup>;

  constructor(scope: Construct, id: string, props: UpdraftFunctionsProps) {
    super(scope, id);
    const sizing = functionSizing(props.config);
    const functions = {} as Record<FunctionName, LambdaFunction>;
    const roles = {} as Record<FunctionName, Role>;
    const logGroups = {} as Record<FunctionName, LogGroup>;
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTION_CATALOG[name];
      const constructId = pascalCase(name);
      const functionName = `updraft-${props.stage}-${name}`;
      logGroups[name] = new LogGroup(this, `${constructId}Logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      roles[name] = new Role(this, `${constructId}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Updraft ${name} function (stage ${props.stage})`,
      });
      // Instead of AWSLambdaBasicExecutionRole, which may write to every log group of the account.
      logGroups[name].grantWrite(roles[name]);
      functions[name] = new LambdaFunction(this, constructId, {
        functionName,
        description: spec.description,
        code: functionCode(spec),
        handler: FUNCTION_HANDLER,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: sizing[name].memoryMb,
        timeout: sizing[name].timeout,
        reservedConcurrentExecutions: sizing[name].reservedConcurrency,
        role: roles[name],
        logGroup: logGroups[name],
        // Powertools writes JSON already; JSON format keeps Lambda's own lines (START, REPORT) structured too.
        loggingFormat: LoggingFormat.JSON,
        environment: props.environments[name],
      });
    }
    this.functions = functions;
    this.roles = roles;
    this.logGroups = logGroups;
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}
