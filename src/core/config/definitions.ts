/**
 * Every configuration key Updraft reads, as data: Airflow's model of sections and keys (airflow.cfg and
 * `AIRFLOW__SECTION__KEY`), so a key is documented, typed and defaulted in exactly one place. The
 * reference in docs/configuration.md is generated from this list (a test fails when it drifts).
 */

export type ConfigValueType = 'string' | 'integer' | 'boolean' | 'list' | 'enum';

/** A resolved value: strings (and enum choices), integers, booleans, comma-separated lists; null when unset. */
export type ConfigValue = string | number | boolean | string[] | null;

interface DefinitionBase {
  readonly section: string;
  readonly key: string;
  readonly description: string;
  /** Shown as `< hidden >` by `updraft config list`, as Airflow hides its sensitive values. */
  readonly sensitive: boolean;
  /** A value as a user would write it in updraft.cfg; error messages quote it. */
  readonly example: string;
}

export type ConfigDefinition =
  | (DefinitionBase & { readonly type: 'string'; readonly default: string | null })
  | (DefinitionBase & { readonly type: 'integer'; readonly default: number; readonly min?: number; readonly max?: number })
  | (DefinitionBase & { readonly type: 'boolean'; readonly default: boolean })
  | (DefinitionBase & { readonly type: 'list'; readonly default: readonly string[] })
  | (DefinitionBase & { readonly type: 'enum'; readonly default: string; readonly choices: readonly string[] });

export const CONFIG_DEFINITIONS: readonly ConfigDefinition[] = [
  {
    section: 'core',
    key: 'executor',
    type: 'list',
    default: ['lambda'],
    sensitive: false,
    example: 'lambda,fargate,Gpu:./executors/gpu.ts#GpuExecutor',
    description:
      'The executors tasks can run on; the first is the default, and a task or a DAG\'s `defaultArgs` may name another. ' +
      'Built-in: `local`, `lambda`, `fargate`; a custom executor is `Alias:module#Export`.',
  },
  {
    section: 'core',
    key: 'parallelism',
    type: 'integer',
    default: 32,
    min: 1,
    sensitive: false,
    example: '64',
    description: 'The most task instances that may run at once, over all executors.',
  },
  {
    section: 'core',
    key: 'auth_manager',
    type: 'string',
    default: 'simple',
    sensitive: false,
    example: './auth/my-auth-manager.ts#MyAuthManager',
    description: 'The auth manager of the REST API: the built-in `simple`, or `module#Export` for a custom one.',
  },
  {
    section: 'api_auth',
    key: 'jwt_secret',
    type: 'string',
    default: null,
    sensitive: true,
    example: 'a-random-string-of-at-least-32-characters',
    description: 'The secret that signs the REST API\'s JWTs. Unset: taken from Secrets Manager in AWS, generated locally.',
  },
  {
    section: 'api_auth',
    key: 'jwt_expiration_time',
    type: 'integer',
    default: 86400,
    min: 1,
    sensitive: false,
    example: '3600',
    description: 'Seconds a REST API token stays valid.',
  },
  {
    section: 'api',
    key: 'expose_config',
    type: 'boolean',
    default: false,
    sensitive: false,
    example: 'true',
    description:
      'Let the REST API show the configuration (`GET /api/v2/config`) to users allowed to read it; sensitive values stay hidden. ' +
      'Off by default, as in Airflow: the configuration names infrastructure (cluster, subnets, log groups) an API user rarely needs.',
  },
  {
    section: 'scheduler',
    key: 'task_heartbeat_timeout',
    type: 'integer',
    default: 300,
    min: 1,
    sensitive: false,
    example: '600',
    description: 'Seconds without a heartbeat after which a running task is failed (or retried): its worker is presumed dead.',
  },
  {
    section: 'scheduler',
    key: 'task_queued_timeout',
    type: 'integer',
    default: 600,
    min: 1,
    sensitive: false,
    example: '1200',
    description: 'Seconds a task may stay queued before the scheduler queues it again (or fails it when its executor cannot).',
  },
  {
    section: 'scheduler',
    key: 'execution_timeout_grace',
    type: 'integer',
    default: 60,
    min: 0,
    sensitive: false,
    example: '120',
    description: 'Seconds past a task\'s `executionTimeout` before the scheduler stops it, so the task\'s own timeout fires first.',
  },
  {
    section: 'fargate',
    key: 'cluster',
    type: 'string',
    default: null,
    sensitive: false,
    example: 'updraft',
    description: 'The ECS cluster the `fargate` executor runs tasks in (name or ARN). Required when `fargate` is configured.',
  },
  {
    section: 'fargate',
    key: 'task_definition',
    type: 'string',
    default: null,
    sensitive: false,
    example: 'updraft-task-runner:3',
    description: 'The task definition (family, family:revision or ARN) of the task runner container. Required when `fargate` is configured.',
  },
  {
    section: 'fargate',
    key: 'container_name',
    type: 'string',
    default: 'task-runner',
    sensitive: false,
    example: 'runner',
    description: 'The container in the task definition that runs the task (its command and environment are overridden).',
  },
  {
    section: 'fargate',
    key: 'subnets',
    type: 'list',
    default: [],
    sensitive: false,
    example: 'subnet-0a1b2c,subnet-3d4e5f',
    description: 'Subnets of the tasks\' network interfaces (awsvpc). Required when `fargate` is configured.',
  },
  {
    section: 'fargate',
    key: 'security_groups',
    type: 'list',
    default: [],
    sensitive: false,
    example: 'sg-0a1b2c',
    description: 'Security groups of the tasks\' network interfaces; empty means the VPC\'s default group.',
  },
  {
    section: 'fargate',
    key: 'assign_public_ip',
    type: 'boolean',
    default: false,
    sensitive: false,
    example: 'true',
    description: 'Give tasks a public IP: needed in public subnets without a NAT gateway to pull the image and reach AWS APIs.',
  },
  {
    section: 'fargate',
    key: 'capacity_provider',
    type: 'enum',
    default: 'FARGATE',
    choices: ['FARGATE', 'FARGATE_SPOT'],
    sensitive: false,
    example: 'FARGATE_SPOT',
    description: 'Capacity provider of the tasks. `FARGATE_SPOT` is cheaper; an interruption is retried, not counted as a task error.',
  },
  {
    section: 'fargate',
    key: 'platform_version',
    type: 'string',
    default: 'LATEST',
    sensitive: false,
    example: '1.4.0',
    description: 'The Fargate platform version of the tasks.',
  },
  {
    section: 'fargate',
    key: 'max_run_task_attempts',
    type: 'integer',
    default: 3,
    min: 1,
    sensitive: false,
    example: '5',
    description: 'Attempts at RunTask (with backoff) when ECS answers with a capacity or throttling failure.',
  },
  {
    section: 'fargate',
    key: 'log_group',
    type: 'string',
    default: null,
    sensitive: false,
    example: '/updraft/task-runner',
    description: 'The CloudWatch Logs group of the task runner container, read to show the container\'s log with the task\'s log.',
  },
  {
    section: 'fargate',
    key: 'log_stream_prefix',
    type: 'string',
    default: 'updraft',
    sensitive: false,
    example: 'runner',
    description: 'The awslogs stream prefix of the container: streams are named `<prefix>/<container>/<task id>`.',
  },
  {
    section: 'metrics',
    key: 'enabled',
    type: 'boolean',
    default: true,
    sensitive: false,
    example: 'false',
    description: 'Emit CloudWatch metrics (as EMF log lines).',
  },
  {
    section: 'metrics',
    key: 'namespace',
    type: 'string',
    default: 'Updraft',
    sensitive: false,
    example: 'Updraft/prod',
    description: 'The CloudWatch namespace of Updraft\'s metrics.',
  },
];

/** Section names in the order of CONFIG_DEFINITIONS. */
export function configSections(definitions: readonly ConfigDefinition[] = CONFIG_DEFINITIONS): string[] {
  return [...new Set(definitions.map((definition) => definition.section))];
}

export function configKeysOf(section: string, definitions: readonly ConfigDefinition[] = CONFIG_DEFINITIONS): string[] {
  return definitions.filter((definition) => definition.section === section).map((definition) => definition.key);
}

export function findConfigDefinition(
  section: string,
  key: string,
  definitions: readonly ConfigDefinition[] = CONFIG_DEFINITIONS,
): ConfigDefinition | undefined {
  return definitions.find((definition) => definition.section === section && definition.key === key);
}

/** `UPDRAFT__CORE__EXECUTOR` for core.executor: Airflow's `AIRFLOW__{SECTION}__{KEY}`. */
export function configEnvVariable(section: string, key: string): string {
  return `UPDRAFT__${section.toUpperCase()}__${key.toUpperCase()}`;
}
