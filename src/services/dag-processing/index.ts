export {
  DagProcessor,
  type DagProcessorOptions,
  type DagProcessorSettings,
  type ObjectEvent,
  type ObjectEventResult,
  type ProcessAllResult,
  type ProcessFileResult,
  type RemoveFileResult,
} from './dag-processor.ts';
export { DAG_PREFIX, BUNDLE_PREFIX, DAG_FILE_EXTENSIONS, bundleKeyFor, filelocOfKey, isDagFileloc, keyOfFileloc } from './dag-files.ts';
export { defaultSdkEntry } from './bundler.ts';
export { parseChildCommand, type ParseChildCommand } from './run-parse-child.ts';
export type { ImportFailure } from './import-failure.ts';
