import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureAt, type ImportFailure, type SourceLocation } from './import-failure.ts';

/** `at fn (/a/b.ts:3:7)`, `at /a/b.ts:3:7`, `at file:///a/b.ts:3:7`. */
const FRAME = /^\s*at (?:.*?\()?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/;

/** Stack frames that lie in files under the dags folder, innermost first. */
export function dagFramesOf(stack: string, dagsDir: string): SourceLocation[] {
  const frames: SourceLocation[] = [];
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, rawPath = '', lineNo = '0', column = '0'] = match;
    let path: string;
    try {
      path = rawPath.startsWith('file://') ? fileURLToPath(rawPath) : rawPath;
    } catch {
      continue;
    }
    if (!isAbsolute(path)) continue;
    const rel = relative(dagsDir, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    frames.push({ fileloc: rel.split(sep).join('/'), line: Number(lineNo), column: Number(column) });
  }
  return frames;
}

function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) {
    const text = thrown.message.trim() === '' ? '(no message)' : thrown.message;
    return thrown.name && thrown.name !== 'Error' ? `${thrown.name}: ${text}` : text;
  }
  if (typeof thrown === 'string') return thrown;
  try {
    return `A non-error value was thrown: ${JSON.stringify(thrown) ?? String(thrown)}`;
  } catch {
    return `A non-error value was thrown: ${String(thrown)}`;
  }
}

/**
 * Turns what a DAG file threw into an import failure: the error's name and message, and the line of the
 * innermost frame in the DAG file itself (stacks are source-mapped, so lines are the author's). When the
 * error arose in a sibling file the DAG file never appears in, that file is named instead.
 */
export function describeThrown(thrown: unknown, dagsDir: string, fileloc: string): ImportFailure {
  const message = messageOf(thrown);
  const stack = thrown instanceof Error && typeof thrown.stack === 'string' ? thrown.stack : '';
  const frames = dagFramesOf(stack, dagsDir);
  const own = frames.find((frame) => frame.fileloc === fileloc);
  return failureAt(message, fileloc, own ?? frames[0] ?? null);
}
