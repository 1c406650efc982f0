export type {
  DagRunInfo,
  DataInterval,
  NextDagRunInfoArgs,
  SerializedTimetableJson,
  TimeRestriction,
  Timetable,
} from './types.ts';
export { ScheduleError } from './schedule-error.ts';
export { CRON_PRESETS } from './cron-schedule.ts';
export { CronDataIntervalTimetable } from './cron-data-interval-timetable.ts';
export { CronTriggerTimetable, type CronTriggerTimetableOptions } from './cron-trigger-timetable.ts';
export { DeltaDataIntervalTimetable } from './delta-data-interval-timetable.ts';
export { OnceTimetable } from './once-timetable.ts';
export { NullTimetable } from './null-timetable.ts';
export { resolveSchedule, type Schedule } from './resolve-schedule.ts';
