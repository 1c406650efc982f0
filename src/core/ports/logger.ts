/**
 * Structured logging as services need it. Powertools' Logger satisfies it in Lambda; the local runtime
 * and tests pass their own. Extra keys (dag_id, run_id, task_id, try_number) go in `attributes`.
 */
export interface Logger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** One JSON object per line on stderr: what local mode and the CLI's debug output use. */
export function jsonLineLogger(base: Record<string, unknown> = {}, minLevel: 'debug' | 'info' = 'info'): Logger {
  const write = (level: string, message: string, attributes?: Record<string, unknown>) => {
    if (level === 'debug' && minLevel !== 'debug') return;
    process.stderr.write(`${JSON.stringify({ level, timestamp: new Date().toISOString(), message, ...base, ...attributes })}\n`);
  };
  return {
    debug: (m, a) => write('debug', m, a),
    info: (m, a) => write('info', m, a),
    warn: (m, a) => write('warn', m, a),
    error: (m, a) => write('error', m, a),
  };
}

/** A logger that adds `attributes` to every line: for work done concurrently, each with its own keys. */
export function withLogAttributes(logger: Logger, attributes: Record<string, unknown>): Logger {
  return {
    debug: (message, extra) => logger.debug(message, { ...attributes, ...extra }),
    info: (message, extra) => logger.info(message, { ...attributes, ...extra }),
    warn: (message, extra) => logger.warn(message, { ...attributes, ...extra }),
    error: (message, extra) => logger.error(message, { ...attributes, ...extra }),
  };
}
