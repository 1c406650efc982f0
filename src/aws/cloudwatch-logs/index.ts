export { ContainerLogReader, type ContainerLogReaderSettings } from './container-log-reader.ts';
export { ContainerLogReadError } from './errors.ts';
