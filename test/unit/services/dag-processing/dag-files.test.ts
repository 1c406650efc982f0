import { describe, expect, it } from 'vitest';
import { bundleKeyFor, filelocOfKey, isDagFileloc } from '../../../../src/services/dag-processing/dag-files.ts';

describe('DAG file paths', () => {
  it('maps keys under dags/ to filelocs and ignores everything else', () => {
    expect(filelocOfKey('dags/etl/orders.ts')).toBe('etl/orders.ts');
    expect(filelocOfKey('bundles/abc.mjs')).toBeNull();
    expect(filelocOfKey('dagsx/a.ts')).toBeNull();
    expect(filelocOfKey('dags/../secrets.ts')).toBeNull();
    expect(filelocOfKey('dags//a.ts')).toBeNull();
  });

  it('treats .ts, .js and .mjs files as DAG files, but not declarations or data', () => {
    expect(isDagFileloc('a.ts')).toBe(true);
    expect(isDagFileloc('nested/b.js')).toBe(true);
    expect(isDagFileloc('c.mjs')).toBe(true);
    expect(isDagFileloc('types.d.ts')).toBe(false);
    expect(isDagFileloc('data.json')).toBe(false);
    expect(isDagFileloc('README.md')).toBe(false);
    expect(isDagFileloc('./a.ts')).toBe(false);
    expect(isDagFileloc('/abs.ts')).toBe(false);
  });

  it('names bundles by their content hash', () => {
    expect(bundleKeyFor('ab12')).toBe('bundles/ab12.mjs');
  });
});
