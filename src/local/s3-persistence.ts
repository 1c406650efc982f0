import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';

/**
 * Where local mode's S3 objects live on disk, so `updraft standalone` finds its DAG bundles and logs
 * again after a restart. One folder per bucket (named after it) holding `.bucket.json` and one file per
 * object: `<sha256 of key>.obj`, a JSON header line followed by the raw body. One file per object makes
 * every write a single atomic rename, and hashing the key sidesteps keys a file system cannot name
 * (`a` next to `a/b`, `..`, `:` on Windows, segments over 255 bytes). The header carries the real key.
 */

/** The fields of a fauxqs S3 object (fauxqs/dist/s3/s3Types.d.ts) that survive a restart. */
export interface StoredS3Object {
  key: string;
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

export interface StoredBucket {
  name: string;
  creationDate: Date;
  objects: StoredS3Object[];
}

interface ObjectHeader {
  key: string;
  contentType: string;
  etag: string;
  lastModified: string;
  metadata: Record<string, string>;
}

const BUCKET_MARKER = '.bucket.json';
const OBJECT_SUFFIX = '.obj';
const TEMP_PREFIX = '.tmp-';

export class S3DiskPersistence {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(this.root, { recursive: true });
  }

  /** Every bucket and object written before, for loading into a fresh in-memory store. */
  load(): StoredBucket[] {
    return this.bucketFolders().map(({ name, creationDate, dir }) => {
      const objects: StoredS3Object[] = [];
      for (const file of readdirSync(dir)) {
        // A temp file is a write that a crash interrupted; the object it was replacing is still intact.
        if (file.startsWith(TEMP_PREFIX)) {
          rmSync(join(dir, file), { force: true });
          continue;
        }
        if (file.endsWith(OBJECT_SUFFIX)) objects.push(decodeObject(readFileSync(join(dir, file)), join(dir, file)));
      }
      return { name, creationDate, objects };
    });
  }

  /** The buckets this folder holds; other files and folders in it are left alone. */
  bucketNames(): string[] {
    return this.bucketFolders().map((bucket) => bucket.name);
  }

  private bucketFolders(): Array<{ name: string; creationDate: Date; dir: string }> {
    const folders: Array<{ name: string; creationDate: Date; dir: string }> = [];
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(this.root, entry.name);
      const markerPath = join(dir, BUCKET_MARKER);
      if (!existsSync(markerPath)) continue;
      const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as { name: string; creationDate: string };
      folders.push({ name: marker.name, creationDate: new Date(marker.creationDate), dir });
    }
    return folders;
  }

  bucketCreated(name: string, creationDate: Date): void {
    const dir = this.bucketDir(name);
    if (existsSync(join(dir, BUCKET_MARKER))) return;
    mkdirSync(dir, { recursive: true });
    this.writeAtomically(dir, BUCKET_MARKER, Buffer.from(JSON.stringify({ name, creationDate: creationDate.toISOString() })));
  }

  bucketDeleted(name: string): void {
    rmSync(this.bucketDir(name), { recursive: true, force: true });
  }

  objectWritten(bucket: string, object: StoredS3Object): void {
    const dir = this.bucketDir(bucket);
    mkdirSync(dir, { recursive: true });
    this.writeAtomically(dir, objectFileName(object.key), encodeObject(object));
  }

  objectDeleted(bucket: string, key: string): void {
    rmSync(join(this.bucketDir(bucket), objectFileName(key)), { force: true });
  }

  bucketEmptied(name: string): void {
    const dir = this.bucketDir(name);
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir)) {
      if (file.endsWith(OBJECT_SUFFIX)) unlinkSync(join(dir, file));
    }
  }

  private bucketDir(name: string): string {
    // S3 bucket names are lowercase letters, digits, dots and hyphens; anything else is encoded so a
    // name can never climb out of the data folder.
    if (name === '' || name === '.' || name === '..') {
      throw new ConfigError(`"${name}" is not a valid S3 bucket name; use 3-63 lowercase letters, digits, dots or hyphens.`);
    }
    return join(this.root, encodeURIComponent(name));
  }

  private writeAtomically(dir: string, fileName: string, content: Buffer): void {
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    writeFileSync(temp, content);
    renameSync(temp, join(dir, fileName));
  }
}

function objectFileName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex')}${OBJECT_SUFFIX}`;
}

function encodeObject(object: StoredS3Object): Buffer {
  const header: ObjectHeader = {
    key: object.key,
    contentType: object.contentType,
    etag: object.etag,
    lastModified: object.lastModified.toISOString(),
    metadata: object.metadata,
  };
  // JSON.stringify never emits a raw newline, so the first one ends the header.
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), object.body]);
}

function decodeObject(content: Buffer, path: string): StoredS3Object {
  const newline = content.indexOf(0x0a);
  if (newline < 0) {
    throw new ConfigError(`The stored S3 object ${path} is damaged (no header). Delete the file to drop that object.`);
  }
  const header = JSON.parse(content.subarray(0, newline).toString('utf8')) as ObjectHeader;
  return {
    key: header.key,
    body: Buffer.from(content.subarray(newline + 1)),
    contentType: header.contentType,
    etag: header.etag,
    lastModified: new Date(header.lastModified),
    metadata: header.metadata ?? {},
  };
}
