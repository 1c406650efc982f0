import { ValidationError } from '../../../core/errors.ts';

/** The client named a version this server does not keep; the answer lists the ones it does. */
export class UnsupportedApiVersionError extends ValidationError {
  readonly requested: string;
  readonly supportedVersions: readonly string[];

  constructor(requested: string, header: string, supportedVersions: readonly string[]) {
    super(
      `Execution API version "${requested}" is not supported; this server speaks ${supportedVersions.join(', ')} ` +
        `(newest first). Send one of them in the ${header} header, or upgrade the task runner if it is older than all of them.`,
      header,
    );
    this.requested = requested;
    this.supportedVersions = supportedVersions;
  }
}
