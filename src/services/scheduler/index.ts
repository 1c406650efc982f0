export { DEFAULT_SCHEDULER_SETTINGS, type SchedulerDeps, type SchedulerSettings } from './settings.ts';
export { RunScheduler, type RunScheduleResult } from './run-scheduler.ts';
export { SchedulerTick, type TickReport } from './scheduler-tick.ts';
export { triggerDagRun, type TriggerDagRunRequest } from './trigger-dag-run.ts';
