import type { ObjectStore } from '../../core/ports/object-store.ts';
import { SecretMasker } from '../secrets/secret-masker.ts';

export type TaskLogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/**
 * The log of one attempt, as the user reads it in the UI and the CLI: plain text lines
 * `[ISO time] LEVEL message`. It is kept in memory and written once at the end, because a Lambda attempt
 * is short and S3 objects cannot be appended to.
 */
export class TaskLog {
  private readonly lines: string[] = [];
  /** Secrets the task has read (connection passwords, secret-looking variables) never reach the log. */
  readonly masker = new SecretMasker();

  constructor(private readonly now: () => Date) {}

  write(level: TaskLogLevel, message: string): void {
    this.lines.push(`[${this.now().toISOString()}] ${level} ${this.masker.mask(message)}`);
  }

  info(message: string): void {
    this.write('INFO', message);
  }

  warn(message: string): void {
    this.write('WARNING', message);
  }

  error(message: string): void {
    this.write('ERROR', message);
  }

  text(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }

  /**
   * Writes the log. `continuing`: the attempt continues a try that already ran (a sensor's next poke
   * after a reschedule, a resume after a deferral), so the earlier runs' lines are kept before these, as
   * Airflow keeps one log per try.
   */
  async save(objectStore: ObjectStore, key: string, options: { continuing?: boolean } = {}): Promise<void> {
    const earlier = options.continuing ? ((await objectStore.getText(key)) ?? '') : '';
    await objectStore.put(key, earlier + this.text(), 'text/plain; charset=utf-8');
  }
}

/** What a user needs to see of a failure: the stack when there is one (it starts with the message). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = error.stack ?? `${error.name}: ${error.message}`;
    const cause = (error as { cause?: unknown }).cause;
    return cause === undefined ? stack : `${stack}\nCaused by: ${describeError(cause)}`;
  }
  return String(error);
}
