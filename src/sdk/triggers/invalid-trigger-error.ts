/**
 * A trigger was built with arguments it cannot work with. Thrown inside the task that builds it, so the
 * attempt fails with this message (and retries, if it has retries), naming the argument to fix.
 *
 * @example
 * ```ts
 * try {
 *   s3KeyTrigger({ bucket: '', key: 'x' });
 * } catch (error) {
 *   (error as InvalidTriggerError).code; // 'invalid_trigger'
 * }
 * ```
 */
export class InvalidTriggerError extends Error {
  readonly code = 'invalid_trigger';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidTriggerError';
  }
}
