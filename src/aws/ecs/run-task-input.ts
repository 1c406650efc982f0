import type { RunTaskCommandInput, TaskOverride } from '@aws-sdk/client-ecs';
import { EcsConfigurationError } from './errors.ts';
import { validateFargateSize } from './fargate-sizes.ts';
import type { EcsLaunchSettings, EcsRunRequest } from './ecs-task-launcher.ts';

/** ECS allows 8192 characters for all overrides together, JSON punctuation included. */
export const MAX_OVERRIDES_SIZE = 8192;
const MAX_STARTED_BY = 36;
const MAX_GROUP = 255;
const MAX_TAGS = 50;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

const STARTED_BY_PATTERN = /^[A-Za-z0-9_/-]+$/;

/** ECS groups hold up to 255 characters; anything outside a conservative set becomes `_`. */
export function sanitizeGroup(group: string): string {
  return group.replace(/[^A-Za-z0-9_:.#/-]/g, '_').slice(0, MAX_GROUP);
}

function validateSettings(settings: EcsLaunchSettings): void {
  const required: Array<[keyof EcsLaunchSettings, string, string]> = [
    ['cluster', settings.cluster, 'set the fargate executor cluster'],
    ['taskDefinition', settings.taskDefinition, 'set the fargate executor task definition (family:revision or ARN)'],
    ['containerName', settings.containerName, 'set it to the name of the runner container in the task definition'],
  ];
  for (const [field, value, hint] of required) {
    if (value.trim() === '') throw new EcsConfigurationError(field, `The ECS ${field} is empty: ${hint}.`);
  }
  if (settings.subnets.length === 0) {
    throw new EcsConfigurationError(
      'subnets',
      'Fargate tasks need at least one subnet: set the fargate executor subnets ' +
        '(subnets in several Availability Zones give more capacity).',
    );
  }
}

function validateTags(tags: Record<string, string>): void {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw new EcsConfigurationError(
      'tags',
      `ECS allows ${MAX_TAGS} tags on a task; ${entries.length} were given. Drop some tags.`,
    );
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_TAG_KEY) {
      throw new EcsConfigurationError(
        'tags',
        `Tag key "${key.slice(0, 40)}" must have 1 to ${MAX_TAG_KEY} characters.`,
      );
    }
    if (value.length > MAX_TAG_VALUE) {
      throw new EcsConfigurationError(
        'tags',
        `The value of tag "${key}" has ${value.length} characters; ECS allows ${MAX_TAG_VALUE}.`,
      );
    }
    if (/^aws:/i.test(key)) {
      throw new EcsConfigurationError('tags', `Tag key "${key}" uses the reserved prefix "aws:". Choose another key.`);
    }
  }
}

/** The RunTask input for one task attempt; throws EcsConfigurationError for anything ECS would reject. */
export function buildRunTaskInput(settings: EcsLaunchSettings, request: EcsRunRequest): RunTaskCommandInput {
  validateSettings(settings);
  const { startedBy } = request;
  if (startedBy.length === 0 || startedBy.length > MAX_STARTED_BY || !STARTED_BY_PATTERN.test(startedBy)) {
    throw new EcsConfigurationError(
      'startedBy',
      `startedBy "${request.startedBy}" is not valid: use 1 to ${MAX_STARTED_BY} letters, digits, "-", "_" or "/".`,
    );
  }
  validateFargateSize(request.cpu, request.memory);
  if (request.tags) validateTags(request.tags);

  const overrides: TaskOverride = {
    containerOverrides: [
      {
        name: settings.containerName,
        command: request.command,
        environment: Object.entries(request.environment).map(([name, value]) => ({ name, value })),
      },
    ],
  };
  if (request.cpu !== undefined) overrides.cpu = String(request.cpu);
  if (request.memory !== undefined) overrides.memory = String(request.memory);

  // Counted in UTF-8 bytes, which is never less than ECS's character count.
  const size = Buffer.byteLength(JSON.stringify(overrides), 'utf8');
  if (size > MAX_OVERRIDES_SIZE) {
    const largest = Object.entries(request.environment)
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, 3)
      .map(([name, value]) => `${name} (${value.length})`)
      .join(', ');
    throw new EcsConfigurationError(
      'environment',
      `The container overrides are ${size} bytes; ECS allows ${MAX_OVERRIDES_SIZE} for command and environment together. ` +
        `Largest environment variables: ${largest || 'none'}. Pass large values by reference (for example an S3 key) ` +
        'instead of in the environment.',
    );
  }

  const input: RunTaskCommandInput = {
    cluster: settings.cluster,
    taskDefinition: settings.taskDefinition,
    count: 1,
    capacityProviderStrategy: [{ capacityProvider: settings.capacityProvider, weight: 1 }],
    platformVersion: settings.platformVersion ?? 'LATEST',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: settings.subnets,
        securityGroups: settings.securityGroups,
        assignPublicIp: settings.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    overrides,
    startedBy: request.startedBy,
    group: sanitizeGroup(request.group),
    propagateTags: 'TASK_DEFINITION',
  };
  if (request.tags && Object.keys(request.tags).length > 0) {
    input.tags = Object.entries(request.tags).map(([key, value]) => ({ key, value }));
  }
  return input;
}
