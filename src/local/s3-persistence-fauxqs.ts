import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { ConfigError } from '../core/errors.ts';
import { S3DiskPersistence, type StoredS3Object } from './s3-persistence.ts';

/**
 * Makes fauxqs's in-memory S3 write through to disk. fauxqs 1.9 builds its S3Store inside startFauxqs
 * and offers no hook to pass another one, and the class itself is not exported. So the S3Store class
 * is loaded from fauxqs's own files, its mutating methods are wrapped once per process, and the
 * wrappers write through only for store instances registered here: every other fauxqs (the tests'
 * shared emulator, say) behaves exactly as before. The server's own store is found by a call that
 * touches no data (`emptyBucket` of a bucket that cannot exist), and loaded from disk before anyone
 * can reach it. Reads stay in memory, so S3 latency is unchanged; writes add one file write and rename.
 */

interface FauxqsS3Object extends StoredS3Object {
  contentLength: number;
}

/** The subset of fauxqs/dist/s3/s3Store.js that is wrapped or called. */
interface FauxqsS3Store {
  createBucket(name: string): void;
  deleteBucket(name: string): void;
  listBuckets(): Array<{ name: string; creationDate: Date }>;
  putObject(bucket: string, key: string, body: Buffer, contentType?: string, metadata?: Record<string, string>): FauxqsS3Object;
  deleteObject(bucket: string, key: string): void;
  createMultipartUpload(bucket: string, key: string, contentType?: string, metadata?: Record<string, string>): string;
  completeMultipartUpload(uploadId: string, parts: unknown): FauxqsS3Object;
  abortMultipartUpload(uploadId: string): void;
  emptyBucket(name: string): void;
  clearObjects(): void;
  purgeAll(): void;
}

const WRAPPED_METHODS = [
  'createBucket',
  'deleteBucket',
  'putObject',
  'deleteObject',
  'createMultipartUpload',
  'completeMultipartUpload',
  'abortMultipartUpload',
  'emptyBucket',
  'clearObjects',
  'purgeAll',
] as const;

interface Registration {
  disk: S3DiskPersistence;
  /** Multipart uploads are not persisted; only which bucket each open one targets, to persist the result. */
  uploadBuckets: Map<string, string>;
}

const registrations = new WeakMap<object, Registration>();
const INSTALLED = Symbol.for('updraft.s3-write-through');
let pendingClaim: { bucket: string; store?: FauxqsS3Store } | null = null;

export interface PersistentFauxqsOptions {
  port?: number;
  logger?: boolean;
  /** Folder the S3 buckets and objects are kept in; created when missing. */
  s3DataPath: string;
}

/** startFauxqs, with the S3 side kept in `s3DataPath` and loaded from there again on the next start. */
export async function startPersistentFauxqs(options: PersistentFauxqsOptions): Promise<FauxqsServer> {
  const disk = new S3DiskPersistence(options.s3DataPath);
  const stored = disk.load();
  installWriteThrough(await loadS3StorePrototype());
  const server = await startFauxqs({ port: options.port ?? 0, logger: options.logger ?? false });
  // Everything from here to the return is synchronous: no request is served before the data is loaded.
  try {
    const store = claimStore(server);
    for (const bucket of stored) {
      store.createBucket(bucket.name);
      (store as unknown as { bucketCreationDates?: Map<string, Date> }).bucketCreationDates?.set(bucket.name, bucket.creationDate);
      for (const object of bucket.objects) {
        const loaded = store.putObject(bucket.name, object.key, object.body, object.contentType, object.metadata);
        loaded.etag = object.etag;
        loaded.lastModified = object.lastModified;
      }
    }
    registrations.set(store, { disk, uploadBuckets: new Map() });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function loadS3StorePrototype(): Promise<Record<string, unknown>> {
  const require = createRequire(import.meta.url);
  const packageDir = (require.resolve.paths('fauxqs') ?? [])
    .map((base) => join(base, 'fauxqs'))
    .find((dir) => existsSync(join(dir, 'package.json')));
  const unsupported = (why: string) =>
    new ConfigError(`S3 persistence for local mode could not hook into fauxqs: ${why}. It supports fauxqs 1.9.x; reinstall the version in package.json.`);
  if (!packageDir) throw unsupported('the fauxqs package was not found');
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  const modulePath = join(packageDir, 'dist', 's3', 's3Store.js');
  if (!existsSync(modulePath)) throw unsupported(`fauxqs ${version} has no dist/s3/s3Store.js`);
  const module = (await import(pathToFileURL(modulePath).href)) as { S3Store?: { prototype: Record<string, unknown> } };
  const prototype = module.S3Store?.prototype;
  const missing = WRAPPED_METHODS.filter((name) => typeof prototype?.[name] !== 'function');
  if (!prototype || missing.length > 0) throw unsupported(`fauxqs ${version}'s S3Store lacks ${missing.join(', ') || 'S3Store'}`);
  return prototype;
}

function claimStore(server: FauxqsServer): FauxqsS3Store {
  const claim: { bucket: string; store?: FauxqsS3Store } = { bucket: `\u0000updraft-claim-${randomUUID()}` };
  pendingClaim = claim;
  try {
    server.emptyBucket(claim.bucket);
  } finally {
    pendingClaim = null;
  }
  if (!claim.store) {
    throw new ConfigError(
      'S3 persistence for local mode could not find fauxqs\'s S3 store (fauxqs internals changed). ' +
        'It supports fauxqs 1.9.x; reinstall the version in package.json.',
    );
  }
  return claim.store;
}

type Method = (this: FauxqsS3Store, ...args: never[]) => unknown;

function installWriteThrough(prototype: Record<string | symbol, unknown>): void {
  if (prototype[INSTALLED]) return;
  prototype[INSTALLED] = true;
  const original = Object.fromEntries(WRAPPED_METHODS.map((name) => [name, prototype[name] as Method])) as Record<
    (typeof WRAPPED_METHODS)[number],
    Method
  >;
  const call = <R>(store: FauxqsS3Store, name: (typeof WRAPPED_METHODS)[number], args: unknown[]): R =>
    (original[name] as (...a: unknown[]) => R).apply(store, args);

  const wrappers: { [K in (typeof WRAPPED_METHODS)[number]]: (this: FauxqsS3Store, ...args: Parameters<FauxqsS3Store[K]>) => ReturnType<FauxqsS3Store[K]> } = {
    createBucket(name) {
      call(this, 'createBucket', [name]);
      const creationDate = this.listBuckets().find((bucket) => bucket.name === name)?.creationDate ?? new Date();
      registrations.get(this)?.disk.bucketCreated(name, creationDate);
    },
    deleteBucket(name) {
      call(this, 'deleteBucket', [name]);
      registrations.get(this)?.disk.bucketDeleted(name);
    },
    putObject(bucket, key, body, contentType, metadata) {
      const object = call<FauxqsS3Object>(this, 'putObject', [bucket, key, body, contentType, metadata]);
      registrations.get(this)?.disk.objectWritten(bucket, object);
      return object;
    },
    deleteObject(bucket, key) {
      call(this, 'deleteObject', [bucket, key]);
      registrations.get(this)?.disk.objectDeleted(bucket, key);
    },
    createMultipartUpload(bucket, key, contentType, metadata) {
      const uploadId = call<string>(this, 'createMultipartUpload', [bucket, key, contentType, metadata]);
      registrations.get(this)?.uploadBuckets.set(uploadId, bucket);
      return uploadId;
    },
    completeMultipartUpload(uploadId, parts) {
      const object = call<FauxqsS3Object>(this, 'completeMultipartUpload', [uploadId, parts]);
      const registration = registrations.get(this);
      const bucket = registration?.uploadBuckets.get(uploadId);
      if (registration && bucket !== undefined) {
        registration.uploadBuckets.delete(uploadId);
        registration.disk.objectWritten(bucket, object);
      }
      return object;
    },
    abortMultipartUpload(uploadId) {
      call(this, 'abortMultipartUpload', [uploadId]);
      registrations.get(this)?.uploadBuckets.delete(uploadId);
    },
    emptyBucket(name) {
      if (pendingClaim && name === pendingClaim.bucket) {
        pendingClaim.store = this;
        return;
      }
      call(this, 'emptyBucket', [name]);
      registrations.get(this)?.disk.bucketEmptied(name);
    },
    clearObjects() {
      call(this, 'clearObjects', []);
      const disk = registrations.get(this)?.disk;
      for (const name of disk?.bucketNames() ?? []) disk?.bucketEmptied(name);
    },
    purgeAll() {
      call(this, 'purgeAll', []);
      const disk = registrations.get(this)?.disk;
      for (const name of disk?.bucketNames() ?? []) disk?.bucketDeleted(name);
    },
  };
  for (const name of WRAPPED_METHODS) prototype[name] = wrappers[name];
}
