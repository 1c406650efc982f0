import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Logger } from '../core/ports/logger.ts';
import type { ObjectStore } from '../core/ports/object-store.ts';
import { DAG_PREFIX, keyOfFileloc } from '../services/dag-processing/dag-files.ts';
import type { ObjectEvent } from '../services/dag-processing/dag-processor.ts';


const IGNORED_SEGMENTS = new Set(['node_modules', '.git', '.updraft']);

/** Files local mode and `updraft dags deploy` leave out: dependencies, VCS data and dot-files or dot-folders. */
export function isIgnored(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some((segment) => IGNORED_SEGMENTS.has(segment) || segment.startsWith('.'));
}

/**
 * Keeps the emulated bucket's `dags/` prefix equal to a local folder and raises, for every change, the
 * same "Object Created"/"Object Deleted" event that S3 raises through EventBridge in AWS (fauxqs raises
 * no bucket notifications, so local mode raises them here).
 */
export class DagFolderSync {
  private watcher: FSWatcher | null = null;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly uploadedHashes = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      folder: string;
      objectStore: ObjectStore;
      onEvent: (event: ObjectEvent) => Promise<void>;
      logger: Logger;
      debounceMs?: number;
    },
  ) {}

  /** Uploads every file that differs from the bucket and deletes objects the folder no longer has. */
  async syncAll(): Promise<{ uploaded: string[]; deleted: string[] }> {
    const files = await this.listFolder();
    const existing = new Map(
      (await this.options.objectStore.list(DAG_PREFIX)).map((object) => [object.key.slice(DAG_PREFIX.length), object]),
    );
    const uploaded: string[] = [];
    for (const file of files) {
      const content = await readFile(join(this.options.folder, file));
      const stored = existing.has(file) ? await this.options.objectStore.get(keyOfFileloc(file)) : null;
      if (!stored || !Buffer.from(stored).equals(content)) {
        await this.options.objectStore.put(keyOfFileloc(file), content);
        uploaded.push(file);
      }
      this.uploadedHashes.set(file, sha256(content));
      // Raised for unchanged files too: the processor skips what it has parsed, and re-parses what an
      // earlier run left half done.
      await this.emit({ detailType: 'Object Created', key: keyOfFileloc(file) });
    }
    const deleted: string[] = [];
    for (const file of existing.keys()) {
      if (files.includes(file)) continue;
      await this.options.objectStore.delete(keyOfFileloc(file));
      deleted.push(file);
      await this.emit({ detailType: 'Object Deleted', key: keyOfFileloc(file) });
    }
    return { uploaded, deleted };
  }

  /** Watches the folder and syncs each changed file after a short debounce. */
  watch(): void {
    if (this.watcher) return;
    this.watcher = watch(this.options.folder, { recursive: true }, (_event, filename) => {
      if (!filename) return;
      const file = filename.toString().split(sep).join('/');
      if (isIgnored(file)) return;
      clearTimeout(this.pending.get(file));
      this.pending.set(
        file,
        setTimeout(() => {
          this.pending.delete(file);
          this.queue = this.queue.then(() => this.syncFile(file)).catch((error: unknown) => {
            this.options.logger.error('Could not sync a DAG file', { file, error: String(error) });
          });
        }, this.options.debounceMs ?? 150),
      );
    });
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    await this.queue;
  }

  private async syncFile(file: string): Promise<void> {
    const path = join(this.options.folder, file);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) return;
    if (!info) {
      if (!this.uploadedHashes.delete(file)) return;
      await this.options.objectStore.delete(keyOfFileloc(file));
      this.options.logger.info('DAG file removed', { file });
      await this.emit({ detailType: 'Object Deleted', key: keyOfFileloc(file) });
      return;
    }
    const content = await readFile(path);
    const hash = sha256(content);
    if (this.uploadedHashes.get(file) === hash) return;
    await this.options.objectStore.put(keyOfFileloc(file), content);
    this.uploadedHashes.set(file, hash);
    this.options.logger.info('DAG file changed', { file });
    await this.emit({ detailType: 'Object Created', key: keyOfFileloc(file) });
  }

  private async emit(event: ObjectEvent): Promise<void> {
    try {
      await this.options.onEvent(event);
    } catch (error) {
      this.options.logger.error('Processing a DAG file event failed', { key: event.key, error: String(error) });
    }
  }

  private async listFolder(): Promise<string[]> {
    const entries = await readdir(this.options.folder, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(this.options.folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((file) => !isIgnored(file))
      .sort();
  }
}

function sha256(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
