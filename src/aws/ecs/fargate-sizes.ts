import { EcsConfigurationError } from './errors.ts';

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/**
 * Fargate's task sizes (Linux): each CPU value (in CPU units, 1024 = 1 vCPU) and the memory values (MiB)
 * it may be paired with. 8 and 16 vCPU need platform version 1.4.0 or later.
 */
export const FARGATE_TASK_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function describeMemory(values: readonly number[]): string {
  if (values.length <= 3) return values.join(', ');
  const step = values[1]! - values[0]!;
  return `${values[0]}–${values[values.length - 1]} in steps of ${step}`;
}

function validCpuList(): string {
  return [...FARGATE_TASK_SIZES.keys()].join(', ');
}

/**
 * Checks a task-level CPU/memory override against Fargate's sizes. With only one of the two given, the
 * other comes from the task definition, which we cannot see: then the value alone must be one Fargate
 * knows.
 */
export function validateFargateSize(cpu: number | undefined, memory: number | undefined): void {
  if (cpu !== undefined) {
    const memories = FARGATE_TASK_SIZES.get(cpu);
    if (memories === undefined) {
      throw new EcsConfigurationError(
        'cpu',
        `Fargate does not offer ${cpu} CPU units. Set executorConfig cpu to one of ${validCpuList()} ` +
          '(1024 units = 1 vCPU).',
      );
    }
    if (memory !== undefined && !memories.includes(memory)) {
      throw new EcsConfigurationError(
        'memory',
        `Fargate cannot pair ${cpu} CPU units with ${memory} MiB of memory. With cpu ${cpu}, memory must be ` +
          `${describeMemory(memories)} MiB.`,
      );
    }
    return;
  }
  if (memory !== undefined) {
    const fits = [...FARGATE_TASK_SIZES.entries()].filter(([, memories]) => memories.includes(memory));
    if (fits.length === 0) {
      const all = [...FARGATE_TASK_SIZES.entries()]
        .map(([c, memories]) => `cpu ${c}: ${describeMemory(memories)}`)
        .join('; ');
      throw new EcsConfigurationError(
        'memory',
        `Fargate does not offer a task size with ${memory} MiB of memory. Valid memory values (MiB) by cpu: ${all}.`,
      );
    }
  }
}
