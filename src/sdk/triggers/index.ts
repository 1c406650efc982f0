export { BUILTIN_TRIGGER_KINDS, isTriggerSpec, type TriggerEvent, type TriggerSpec } from './trigger-spec.ts';
export { InvalidTriggerError } from './invalid-trigger-error.ts';
export {
  dateTimeTrigger,
  externalRunTrigger,
  httpTrigger,
  s3KeyTrigger,
  timeDeltaTrigger,
  type ExternalRunTriggerOptions,
  type HttpTriggerOptions,
  type S3KeyTriggerOptions,
} from './builtin-triggers.ts';
export {
  dagTriggerRegistry,
  defineTrigger,
  triggersOfDag,
  type CustomTrigger,
  type TriggerDefinition,
  type TriggerPollContext,
} from './define-trigger.ts';
