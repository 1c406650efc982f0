import { posix } from 'node:path';
import { BUNDLE_PREFIX, DAG_PREFIX } from '../../core/model/bucket-layout.ts';

export { BUNDLE_PREFIX, DAG_PREFIX };

/** Extensions of files the processor imports as DAG files; other files under dags/ are only importable helpers. */
export const DAG_FILE_EXTENSIONS = ['.ts', '.js', '.mjs'] as const;

/**
 * A fileloc is a relative POSIX path without `.` or `..` segments. Anything else could escape the
 * workspace folder the files are materialised into, so such keys are never treated as DAG files.
 */
export function isSafeFileloc(fileloc: string): boolean {
  if (fileloc === '' || fileloc.startsWith('/') || fileloc.includes('\\') || fileloc.includes('\0')) return false;
  return fileloc.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export function isDagFileloc(fileloc: string): boolean {
  if (!isSafeFileloc(fileloc)) return false;
  // A `.d.ts` declares types only; importing it would fail and it can define no DAG.
  if (fileloc.endsWith('.d.ts')) return false;
  const ext = posix.extname(fileloc);
  return (DAG_FILE_EXTENSIONS as readonly string[]).includes(ext);
}

/** The fileloc of an object key under `dags/`, or null when the key is outside it or unsafe. */
export function filelocOfKey(key: string): string | null {
  if (!key.startsWith(DAG_PREFIX)) return null;
  const fileloc = key.slice(DAG_PREFIX.length);
  return isSafeFileloc(fileloc) ? fileloc : null;
}

export function keyOfFileloc(fileloc: string): string {
  return `${DAG_PREFIX}${fileloc}`;
}

export function bundleKeyFor(bundleSha: string): string {
  return `${BUNDLE_PREFIX}${bundleSha}.mjs`;
}
