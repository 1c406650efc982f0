import { stringify as toYaml } from 'yaml';

/** How CLI commands print rows: Airflow's `--output table|json|yaml`. */
export type OutputFormat = 'table' | 'json' | 'yaml';

const FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

/** The `--output` option's help text, the same on every command. */
export const OUTPUT_OPTION_HELP = 'table, json or yaml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined) return 'table';
  if ((FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new CliUsageError(`--output must be "table", "json" or "yaml", not "${value}".`);
}

/** A mistake in how a command was called: printed without a stack, exit code 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export interface PrintOptions {
  /** Columns available; default: the terminal's width when `out` is a terminal, else unlimited (pipes get whole values). */
  width?: number | null;
}

/** Machine formats get plain data: dates as ISO strings, undefined left out. */
function plain(rows: Array<Record<string, unknown>>): unknown {
  return JSON.parse(JSON.stringify(rows)) as unknown;
}

export function printRows(
  rows: Array<Record<string, unknown>>,
  format: OutputFormat,
  out: NodeJS.WritableStream = process.stdout,
  options: PrintOptions = {},
): void {
  if (format === 'json') {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (format === 'yaml') {
    out.write(rows.length === 0 ? '[]\n' : toYaml(plain(rows)));
    return;
  }
  if (rows.length === 0) {
    out.write('No data found\n');
    return;
  }
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = fitWidths(
    columns.map((column, index) => Math.max(column.length, ...cells.map((values) => values[index]!.length))),
    options.width === undefined ? terminalWidth(out) : options.width,
  );
  const line = (values: string[]) => values.map((value, index) => clip(value, widths[index]!).padEnd(widths[index]!)).join(' | ').trimEnd();
  out.write(`${line(columns)}\n`);
  out.write(`${widths.map((width) => '='.repeat(width)).join('=+=')}\n`);
  for (const values of cells) out.write(`${line(values)}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  // A table row is one line: a multi-line value (an error, a description) is folded onto it.
  return String(value).replace(/\s*\n\s*/g, ' ');
}

function terminalWidth(out: NodeJS.WritableStream): number | null {
  const tty = out as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  return tty.isTTY && tty.columns ? tty.columns : null;
}

/** Narrowest a truncated column gets: room for a few characters and the ellipsis. */
const MIN_COLUMN = 6;

/** Shrinks the widest columns, one character at a time, until the table fits (or no column can give more). */
export function fitWidths(natural: readonly number[], available: number | null): number[] {
  const widths = [...natural];
  if (available === null) return widths;
  const total = () => widths.reduce((sum, width) => sum + width, 0) + 3 * (widths.length - 1);
  let excess = total() - available;
  while (excess > 0) {
    let widest = -1;
    for (let index = 0; index < widths.length; index++) {
      if (widths[index]! > MIN_COLUMN && (widest < 0 || widths[index]! > widths[widest]!)) widest = index;
    }
    if (widest < 0) break;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

function clip(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, Math.max(0, width - 1))}…`;
}

/** One record, printed as a one-row table or as the object itself in json and yaml. */
export function printRecord(record: Record<string, unknown>, format: OutputFormat, out: NodeJS.WritableStream = process.stdout): void {
  if (format === 'table') printRows([record], format, out);
  else if (format === 'json') out.write(`${JSON.stringify(record, null, 2)}\n`);
  else out.write(toYaml(JSON.parse(JSON.stringify(record)) as unknown));
}
