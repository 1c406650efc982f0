export { TaskInstanceClearer, type ClearingDeps, type ClearRequest, type MarkRequest } from './task-instance-clearer.ts';
