import { UpdraftError } from '../../core/errors.ts';

/** No, a bad or an expired token, or wrong credentials: the REST API answers 401 with the message. */
export class AuthenticationError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('authentication', message, options);
  }
}
