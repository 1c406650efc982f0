import { UpdraftError } from '../src/core/errors.ts';

/** The CDK app was given context it cannot build a stack from (a bad `-c key=value`, or cdk.json). */
export class InfraConfigError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('infra_config', message, options);
  }
}
