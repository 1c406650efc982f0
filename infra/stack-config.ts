import { z } from 'zod';
import { InfraConfigError } from './errors.ts';

/** What one deployment of Updraft may vary, read from CDK context (cdk.json or `-c key=value`). */
export interface StackConfig {
  /** Names the stack (`updraft-<stage>`) and tags every resource, so stages can share an account. */
  stage: string;
  /** Guards the metastore table against deletion; turn off only for throwaway stages. */
  deletionProtection: boolean;
  /** Days task logs are kept: in the bucket under `logs/` and in every CloudWatch log group of the stack. */
  logRetentionDays: number;
  /** `core.parallelism`: the most task instances running at once; also the worker function's reserved concurrency. */
  parallelism: number;
  /** Memory of the worker function, in MB (CPU grows with it). */
  workerMemoryMb: number;
  /** Timeout of the worker function, in seconds: the longest a `lambda` task may run. */
  workerTimeoutSeconds: number;
  /** `core.executor`: built-in executors the deployment configures, the first being the default. */
  executors: string[];
  /** Deploy the ECS cluster and the task-runner image (needs Docker at deploy time to build the image). */
  fargate: boolean;
  /** Subnets of an existing VPC for the `fargate` executor's tasks; required when `executors` names fargate. */
  fargateSubnetIds: string[];
  /** Security groups of the tasks' network interfaces (default: the VPC's default group). */
  fargateSecurityGroupIds: string[];
  /** Give tasks a public IP: for public subnets without a NAT gateway. */
  fargateAssignPublicIp: boolean;
  /** Default CPU units and memory (MB) of a fargate task; a task's `executorConfig` overrides them. */
  fargateCpu: number;
  fargateMemoryMb: number;
  /** Subscribed to the alarm topic when set. */
  alarmEmail: string | null;
  /**
   * Names of the users' S3 buckets whose new objects update assets (`s3://<bucket>/...`). Each bucket
   * must have "Amazon EventBridge" notifications turned on; the stack cannot change a bucket it does not own.
   */
  assetBuckets: string[];
  /** SNS topics `snsNotifier` callbacks may publish to: the worker and the fargate task role get sns:Publish on these only. */
  notificationTopicArns: string[];
}

export const STACK_CONFIG_DEFAULTS: StackConfig = {
  stage: 'dev',
  deletionProtection: true,
  logRetentionDays: 90,
  parallelism: 32,
  workerMemoryMb: 1024,
  workerTimeoutSeconds: 900,
  executors: ['lambda'],
  fargate: true,
  fargateSubnetIds: [],
  fargateSecurityGroupIds: [],
  fargateAssignPublicIp: false,
  fargateCpu: 1024,
  fargateMemoryMb: 2048,
  alarmEmail: null,
  assetBuckets: [],
  notificationTopicArns: [],
};

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Fargate's valid CPU units and, for each, the memory range in MB (the 8 and 16 vCPU sizes take 4 GB steps). */
const FARGATE_MEMORY_BY_CPU: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

// `-c key=value` always arrives as a string while cdk.json can hold real booleans, numbers and arrays.
const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
const integerish = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)]).pipe(z.number().int().min(min).max(max));
const listish = z
  .union([z.array(z.string()), z.string().transform((value) => value.split(','))])
  .transform((items) => items.map((item) => item.trim()).filter((item) => item !== ''));

const schema = z
  .object({
    // Lower case because it becomes part of the CloudFormation stack name and of resource tags.
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'must be 1-24 lower-case letters, digits or dashes, starting with a letter'),
    deletionProtection: booleanish,
    logRetentionDays: integerish(1, 3653).refine((days) => CLOUDWATCH_RETENTION_DAYS.includes(days), {
      message: `must be one of CloudWatch Logs' retention periods: ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`,
    }),
    parallelism: integerish(1, 1000),
    workerMemoryMb: integerish(128, 10240),
    workerTimeoutSeconds: integerish(10, 900),
    executors: listish.pipe(
      z
        .array(
          z.enum(['lambda', 'fargate'], {
            message:
              'names an executor the stack cannot deploy: use lambda and/or fargate (local runs only under updraft standalone; ' +
              'custom executors are not bundled into the functions yet)',
          }),
        )
        .min(1, 'must name at least one executor')
        .refine((names) => new Set(names).size === names.length, 'names an executor twice'),
    ),
    fargate: booleanish,
    fargateSubnetIds: listish.pipe(z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be subnet ids (subnet-0123abcd)'))),
    fargateSecurityGroupIds: listish.pipe(z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'must be security group ids (sg-0123abcd)'))),
    fargateAssignPublicIp: booleanish,
    fargateCpu: integerish(256, 16384).refine((cpu) => cpu in FARGATE_MEMORY_BY_CPU, {
      message: `must be one of Fargate's CPU sizes: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')}`,
    }),
    fargateMemoryMb: integerish(512, 122880),
    alarmEmail: z.email('must be an e-mail address').nullable(),
    assetBuckets: listish.pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
              'must be S3 bucket names (3-63 lower-case letters, digits, dots and dashes), not s3:// URIs or ARNs',
            ),
        )
        .refine((names) => new Set(names).size === names.length, 'names a bucket twice'),
    ),
    notificationTopicArns: listish.pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
              'must be SNS topic ARNs such as arn:aws:sns:eu-west-1:123456789012:alerts (no wildcards)',
            ),
        )
        .refine((arns) => new Set(arns).size === arns.length, 'names a topic twice'),
    ),
  })
  .superRefine((config, issues) => {
    const memory = FARGATE_MEMORY_BY_CPU[config.fargateCpu];
    if (memory && (config.fargateMemoryMb < memory.min || config.fargateMemoryMb > memory.max || (config.fargateMemoryMb - memory.min) % memory.step !== 0)) {
      issues.addIssue({
        code: 'custom',
        path: ['fargateMemoryMb'],
        message: `must be ${memory.min}-${memory.max} MB in steps of ${memory.step} for fargateCpu ${config.fargateCpu}`,
      });
    }
    if (config.executors.includes('fargate') && !config.fargate) {
      issues.addIssue({ code: 'custom', path: ['executors'], message: 'names fargate while fargate=false leaves ECS out; set fargate=true or drop it' });
    }
    if (config.executors.includes('fargate') && config.fargateSubnetIds.length === 0) {
      issues.addIssue({
        code: 'custom',
        path: ['fargateSubnetIds'],
        message: 'must name the subnets (of an existing VPC) the fargate executor runs tasks in, e.g. subnet-0a1b,subnet-2c3d',
      });
    }
  });

/**
 * Validates the context keys the stack reads; other context (feature flags) is CDK's business.
 * `context` is a lookup so that both `app.node.tryGetContext` and a plain object can feed it.
 */
export function readStackConfig(context: (key: keyof StackConfig) => unknown): StackConfig {
  const raw = Object.fromEntries(
    (Object.keys(STACK_CONFIG_DEFAULTS) as (keyof StackConfig)[]).map((key) => [key, context(key) ?? STACK_CONFIG_DEFAULTS[key]]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message} (got ${JSON.stringify(raw[String(issue.path[0])])})`);
    throw new InfraConfigError(
      `Invalid CDK context for the Updraft stack: ${problems.join('; ')}. Fix the value in cdk.json or in the -c option.`,
    );
  }
  return parsed.data;
}
