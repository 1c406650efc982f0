import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ObjectStore } from '../../core/ports/object-store.ts';
import { BundleNotFoundError } from './errors.ts';

export interface BundleLoaderOptions {
  objectStore: ObjectStore;
  /** Where bundles are written before they are imported (default `<os tmpdir>/updraft-bundles`). */
  cacheDir?: string;
}

/**
 * Loads a DAG version's bundled JavaScript. Bundles are immutable (their key names their content), so a
 * container fetches each one once, keeps it on disk (Lambda's /tmp survives warm starts) and keeps the
 * imported module in memory: a warm worker runs the next task of the same DAG without touching S3.
 */
export class BundleLoader {
  private readonly objectStore: ObjectStore;
  private readonly cacheDir: string;
  private readonly modules = new Map<string, Promise<Record<string, unknown>>>();

  constructor(options: BundleLoaderOptions) {
    this.objectStore = options.objectStore;
    this.cacheDir = options.cacheDir ?? join(tmpdir(), 'updraft-bundles');
    // Bundles carry inline source maps: with them on, a task's stack trace in its log names the DAG
    // file and line the user wrote, not a line of the bundle.
    process.setSourceMapsEnabled(true);
  }

  /** The bundle's module namespace (its exports, default included). */
  load(bundleKey: string): Promise<Record<string, unknown>> {
    let pending = this.modules.get(bundleKey);
    if (!pending) {
      pending = this.fetchAndImport(bundleKey);
      // A failed load must not stick: the next attempt (maybe after S3 recovered) tries again.
      pending.catch(() => this.modules.delete(bundleKey));
      this.modules.set(bundleKey, pending);
    }
    return pending;
  }

  private async fetchAndImport(bundleKey: string): Promise<Record<string, unknown>> {
    const file = join(this.cacheDir, `${createHash('sha256').update(bundleKey).digest('hex').slice(0, 32)}.mjs`);
    if (!(await exists(file))) {
      const body = await this.objectStore.get(bundleKey);
      if (!body) throw new BundleNotFoundError(bundleKey);
      await mkdir(this.cacheDir, { recursive: true });
      // Written under a temporary name and renamed, so a concurrent import never sees half a file.
      const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
      await writeFile(partial, body);
      await rename(partial, file);
    }
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
