import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseOutputFormat, printRows } from '../../../src/cli/output.ts';

function capture(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { out, text: () => text };
}

describe('parseOutputFormat', () => {
  it('defaults to table and accepts table and json', () => {
    expect(parseOutputFormat(undefined)).toBe('table');
    expect(parseOutputFormat('table')).toBe('table');
    expect(parseOutputFormat('json')).toBe('json');
  });

  it('rejects any other format as a usage error that names the choices', () => {
    expect(() => parseOutputFormat('yaml')).toThrow(CliUsageError);
    expect(() => parseOutputFormat('yaml')).toThrow('--output must be "table" or "json", not "yaml".');
  });
});

describe('printRows', () => {
  const rows = [
    { dag_id: 'etl', is_paused: false, tags: 'a,b', last_run: new Date('2026-01-01T00:00:00Z') },
    { dag_id: 'fan_out_fan_in', is_paused: true, tags: null, last_run: undefined },
  ];

  it('prints a table with a header, a separator and one aligned line per row', () => {
    const { out, text } = capture();
    printRows(rows, 'table', out);
    expect(text()).toBe(
      [
        'dag_id         | is_paused | tags | last_run',
        '===============+===========+======+=========================',
        'etl            | false     | a,b  | 2026-01-01T00:00:00.000Z',
        'fan_out_fan_in | true      |      |',
        '',
      ].join('\n'),
    );
  });

  it('prints "No data found" for no rows in a table', () => {
    const { out, text } = capture();
    printRows([], 'table', out);
    expect(text()).toBe('No data found\n');
  });

  it('prints JSON that parses back to the rows, with dates as ISO strings', () => {
    const { out, text } = capture();
    printRows(rows, 'json', out);
    expect(JSON.parse(text())).toEqual([
      { dag_id: 'etl', is_paused: false, tags: 'a,b', last_run: '2026-01-01T00:00:00.000Z' },
      { dag_id: 'fan_out_fan_in', is_paused: true, tags: null },
    ]);
  });

  it('prints an empty JSON array for no rows, so scripts need no special case', () => {
    const { out, text } = capture();
    printRows([], 'json', out);
    expect(JSON.parse(text())).toEqual([]);
  });
});
