import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliUsageError, fitWidths, parseOutputFormat, printRecord, printRows } from '../../../src/cli/output.ts';

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
  it('defaults to table and accepts table, json and yaml', () => {
    expect(parseOutputFormat(undefined)).toBe('table');
    expect(parseOutputFormat('table')).toBe('table');
    expect(parseOutputFormat('json')).toBe('json');
    expect(parseOutputFormat('yaml')).toBe('yaml');
  });

  it('rejects any other format as a usage error that names the choices', () => {
    expect(() => parseOutputFormat('xml')).toThrow(CliUsageError);
    expect(() => parseOutputFormat('xml')).toThrow('--output must be "table", "json" or "yaml", not "xml".');
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

describe('yaml and terminal width', () => {
  const rows = [
    { dag_id: 'etl', description: 'Loads the sales of the day into the warehouse', tags: ['a', 'b'] },
    { dag_id: 'report', description: null, tags: [] },
  ];

  it('prints yaml with dates as ISO strings, and [] for no rows', () => {
    const { out, text } = capture();
    printRows([{ dag_id: 'etl', at: new Date('2026-01-01T00:00:00Z'), tags: ['a'] }], 'yaml', out);
    expect(text()).toBe('- dag_id: etl\n  at: 2026-01-01T00:00:00.000Z\n  tags:\n    - a\n');
    const empty = capture();
    printRows([], 'yaml', empty.out);
    expect(empty.text()).toBe('[]\n');
  });

  it('truncates the widest column with an ellipsis so the table fits the width', () => {
    const { out, text } = capture();
    printRows(rows, 'table', out, { width: 40 });
    const lines = text().split('\n').filter((line) => line !== '');
    expect(lines.every((line) => line.length <= 40)).toBe(true);
    expect(lines[2]).toBe('etl    | Loads the sales of… | ["a","b"]');
  });

  it('does not truncate when not writing to a terminal', () => {
    const { out, text } = capture();
    printRows(rows, 'table', out);
    expect(text()).toContain('Loads the sales of the day into the warehouse');
  });

  it('uses the width of a terminal stream', () => {
    const { out, text } = capture();
    Object.assign(out, { isTTY: true, columns: 30 });
    printRows(rows, 'table', out);
    expect(text().split('\n').every((line) => line.length <= 30)).toBe(true);
  });

  it('never shrinks a column below a few characters', () => {
    expect(fitWidths([20, 20, 20], 10)).toEqual([6, 6, 6]);
    expect(fitWidths([3, 50], 30)).toEqual([3, 24]);
  });

  it('prints one record as an object in json', () => {
    const { out, text } = capture();
    printRecord({ mode: 'local' }, 'json', out);
    expect(JSON.parse(text())).toEqual({ mode: 'local' });
  });
});
