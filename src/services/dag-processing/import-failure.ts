/**
 * Why a DAG file could not be imported, as a user sees it in the import errors list: a message that
 * says what was wrong (never a bare stack) and the 1-based line in the DAG file where it is known.
 */
export interface ImportFailure {
  message: string;
  line: number | null;
}

/** A location in a source file, as a stack frame or a compiler names it. */
export interface SourceLocation {
  /** Path relative to the `dags/` folder. */
  fileloc: string;
  line: number;
  column: number | null;
}

/**
 * Attaches a location to a failure: its line when it lies in the DAG file itself, otherwise the other
 * file is named in the message, since the record has room for one file only.
 */
export function failureAt(message: string, fileloc: string, location: SourceLocation | null): ImportFailure {
  if (location === null) return { message, line: null };
  if (location.fileloc === fileloc) return { message, line: location.line };
  const column = location.column === null ? '' : `:${location.column}`;
  return { message: `${message} (in ${location.fileloc}:${location.line}${column})`, line: null };
}
