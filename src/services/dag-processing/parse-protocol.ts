import { parseSerializedDag } from '../../core/serialization/index.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import type { ImportFailure } from './import-failure.ts';

/** The one message the parse child sends back over IPC. */
export type ParseReport = { ok: true; dags: SerializedDag[] } | { ok: false; failure: ImportFailure };

/** Positional arguments of the parse child, in order. */
export interface ParseChildArgs {
  bundlePath: string;
  dagsDir: string;
  fileloc: string;
}

export function parseChildArgv(args: ParseChildArgs): string[] {
  return [args.bundlePath, args.dagsDir, args.fileloc];
}

/**
 * Checks what came over IPC before anything is stored. The child runs user code, which could send a
 * message of its own; whatever it sends, only a valid serialized DAG reaches the scheduler.
 */
export function validateParseReport(message: unknown): ParseReport {
  const report = message as Partial<{ ok: boolean; dags: unknown; failure: Partial<ImportFailure> }> | null;
  if (report?.ok === false && typeof report.failure?.message === 'string') {
    const line = report.failure.line;
    return { ok: false, failure: { message: report.failure.message, line: Number.isInteger(line) ? (line as number) : null } };
  }
  if (report?.ok === true && Array.isArray(report.dags)) {
    try {
      return { ok: true, dags: report.dags.map((dag) => parseSerializedDag(dag)) };
    } catch (error) {
      return { ok: false, failure: { message: (error as Error).message, line: null } };
    }
  }
  return {
    ok: false,
    failure: { message: 'The DAG parse process sent an unreadable report; a DAG file must not use process.send.', line: null },
  };
}
