import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { DAG_PREFIX, filelocOfKey, keyOfFileloc } from './dag-files.ts';

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The workspace root lives at a fixed depth under the temp folder. esbuild writes paths relative to it
 * into bundles (module comments, source maps), so a fixed depth keeps bundles byte-identical between
 * processors whatever the leaf name, and versions stay stable across restarts and Lambda containers.
 */
export function defaultWorkspaceRoot(): string {
  return join(tmpdir(), 'updraft-dag-processor', randomUUID().slice(0, 8));
}

interface KnownObject {
  size: number;
  lastModified: number;
  sha: string;
}

/**
 * A local mirror of the bucket's `dags/` prefix. DAG files import sibling files, so esbuild needs the
 * whole folder on disk; the mirror is kept across calls and only changed objects are downloaded again.
 */
export class DagWorkspace {
  readonly root: string;
  readonly dagsDir: string;
  private readonly known = new Map<string, KnownObject>();

  constructor(
    private readonly objectStore: ObjectStore,
    root: string = defaultWorkspaceRoot(),
  ) {
    this.root = root;
    this.dagsDir = join(root, 'dags');
  }

  pathOf(fileloc: string): string {
    return join(this.dagsDir, ...fileloc.split('/'));
  }

  /**
   * Brings the mirror up to date; returns the content hash of every file now under `dags/`. Objects are
   * compared by size and modification time (S3 keeps whole seconds), so a file known to have changed
   * is named in `refresh` and downloaded whatever its metadata says.
   */
  async sync(refresh: readonly string[] = []): Promise<Map<string, string>> {
    await mkdir(this.dagsDir, { recursive: true });
    const listed = await this.objectStore.list(DAG_PREFIX);
    const present = new Map<string, { size: number; lastModified: number }>();
    for (const object of listed) {
      const fileloc = filelocOfKey(object.key);
      if (fileloc === null) continue;
      present.set(fileloc, { size: object.size, lastModified: object.lastModified.getTime() });
    }

    const stale = [...present].filter(([fileloc, meta]) => {
      const known = this.known.get(fileloc);
      return !known || refresh.includes(fileloc) || known.size !== meta.size || known.lastModified !== meta.lastModified;
    });
    await forEachLimited(stale, 8, async ([fileloc, meta]) => {
      const body = await this.objectStore.get(keyOfFileloc(fileloc));
      if (body === null) {
        present.delete(fileloc);
        return;
      }
      const sha = sha256Hex(body);
      // Rewriting an unchanged file would be harmless for esbuild, but skipping it keeps the mirror cheap.
      if (this.known.get(fileloc)?.sha !== sha) {
        const path = this.pathOf(fileloc);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
      }
      this.known.set(fileloc, { ...meta, sha });
    });

    for (const fileloc of [...this.known.keys()]) {
      if (!present.has(fileloc)) {
        this.known.delete(fileloc);
        await rm(this.pathOf(fileloc), { force: true });
      }
    }
    return new Map([...this.known].map(([fileloc, known]) => [fileloc, known.sha]));
  }

  async readSource(fileloc: string): Promise<string> {
    return readFile(this.pathOf(fileloc), 'utf8');
  }

  async dispose(): Promise<void> {
    this.known.clear();
    await rm(this.root, { recursive: true, force: true });
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
