import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../core/ports/logger.ts';

/** Services log through our small Logger port; in Lambda, Powertools' structured logger stands behind it. */
export function fromPowertools(powertools: PowertoolsLogger): Logger {
  return {
    debug: (message, attributes) => powertools.debug(message, attributes ?? {}),
    info: (message, attributes) => powertools.info(message, attributes ?? {}),
    warn: (message, attributes) => powertools.warn(message, attributes ?? {}),
    error: (message, attributes) => powertools.error(message, attributes ?? {}),
  };
}
