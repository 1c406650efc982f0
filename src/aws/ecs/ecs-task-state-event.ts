import { z } from 'zod';
import type { EcsTaskSnapshot } from './ecs-task-snapshot.ts';
import { EcsEventFormatError } from './errors.ts';

export const ECS_EVENT_SOURCE = 'aws.ecs';
export const ECS_TASK_STATE_CHANGE = 'ECS Task State Change';

const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not an ISO date' })
  .transform((value) => new Date(value));

// Objects are loose: ECS adds fields to these events over time, and the docs ask consumers to ignore them.
const containerSchema = z.looseObject({
  name: z.string(),
  exitCode: z.number().int().nullish(),
  reason: z.string().nullish(),
  lastStatus: z.string().nullish(),
});

const detailSchema = z.looseObject({
  taskArn: z.string().min(1),
  lastStatus: z.string().min(1),
  desiredStatus: z.string().nullish(),
  startedBy: z.string().nullish(),
  group: z.string().nullish(),
  stopCode: z.string().nullish(),
  stoppedReason: z.string().nullish(),
  capacityProviderName: z.string().nullish(),
  containers: z.array(containerSchema).nullish(),
  createdAt: isoDate.nullish(),
  startedAt: isoDate.nullish(),
  stoppedAt: isoDate.nullish(),
});

function isTaskStateChange(event: unknown): event is { detail?: unknown } {
  if (typeof event !== 'object' || event === null) return false;
  const record = event as Record<string, unknown>;
  return record.source === ECS_EVENT_SOURCE && record['detail-type'] === ECS_TASK_STATE_CHANGE;
}

/**
 * Parses an EventBridge "ECS Task State Change" event (source aws.ecs); null for any other event.
 * An event that names itself a task state change but lacks the fields every such event has is an
 * error, not "another event": dropping it silently would leave a task attempt waiting forever.
 */
export function parseEcsTaskStateChange(event: unknown): EcsTaskSnapshot | null {
  if (!isTaskStateChange(event)) return null;
  const parsed = detailSchema.safeParse(event.detail);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `detail.${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new EcsEventFormatError(
      `An "${ECS_TASK_STATE_CHANGE}" event from ${ECS_EVENT_SOURCE} does not have the expected shape (${problems}). ` +
        'Check that the EventBridge rule forwards the event unchanged (no input transformer).',
      { cause: parsed.error },
    );
  }
  const d = parsed.data;
  return {
    taskArn: d.taskArn,
    startedBy: d.startedBy ?? null,
    group: d.group ?? null,
    lastStatus: d.lastStatus,
    desiredStatus: d.desiredStatus ?? null,
    stopCode: d.stopCode ?? null,
    stoppedReason: d.stoppedReason ?? null,
    capacityProviderName: d.capacityProviderName ?? null,
    containers: (d.containers ?? []).map((c) => ({
      name: c.name,
      exitCode: c.exitCode ?? null,
      reason: c.reason ?? null,
      lastStatus: c.lastStatus ?? null,
    })),
    createdAt: d.createdAt ?? null,
    startedAt: d.startedAt ?? null,
    stoppedAt: d.stoppedAt ?? null,
  };
}
