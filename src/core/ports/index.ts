export type { Clock } from './clock.ts';
export { ManualClock, systemClock } from './clock.ts';
export type { ObjectStore } from './object-store.ts';
export type { Executor } from './executor.ts';
export { ExecutorRegistry } from './executor.ts';
export type * from './metastore.ts';
export type { Logger } from './logger.ts';
export { jsonLineLogger, silentLogger } from './logger.ts';
