/** How CLI commands print rows: Airflow's `--output table|json` (issue #6 adds yaml). */
export type OutputFormat = 'table' | 'json';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table' || value === 'json') return value ?? 'table';
  throw new CliUsageError(`--output must be "table" or "json", not "${value}".`);
}

/** A mistake in how a command was called: printed without a stack, exit code 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export function printRows(rows: Array<Record<string, unknown>>, format: OutputFormat, out: NodeJS.WritableStream = process.stdout): void {
  if (format === 'json') {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    out.write('No data found\n');
    return;
  }
  const columns = Object.keys(rows[0]!);
  const cell = (value: unknown) => (value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join(' | ').trimEnd();
  out.write(`${line(columns)}\n`);
  out.write(`${widths.map((width) => '='.repeat(width)).join('=+=')}\n`);
  for (const row of rows) out.write(`${line(columns.map((column) => cell(row[column])))}\n`);
}
