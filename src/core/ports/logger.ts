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
