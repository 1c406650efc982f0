import type { AssetEventRecord } from '../../core/model/records.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Metastore } from '../../core/ports/metastore.ts';
import { assetConditionUris } from '../../core/scheduling/asset-triggers.ts';
import type { DagVersionCache } from '../dag-version-cache.ts';
import { mapWithConcurrency } from '../scheduler/concurrency.ts';

const VERSION_READ_CONCURRENCY = 8;

/**
 * S3 "Object Created" events (through EventBridge, from buckets the deployment names in `assetBuckets`)
 * become asset events: one for every known asset whose URI prefixes `s3://<bucket>/<key>`. So "a file
 * lands in S3, the DAG runs" needs no polling. Known assets are those DAGs name (schedules and outlets)
 * and those with events already (e.g. posted through the REST API).
 */

/** The fields of an EventBridge S3 "Object Created" event that matter here. */
export interface S3ObjectCreated {
  /** EventBridge's event id: the same on every redelivery of one event. */
  eventId: string;
  bucket: string;
  /** Decoded (S3 puts keys in events URL-encoded, spaces as `+`). */
  key: string;
  size: number | null;
  etag: string | null;
  versionId: string | null;
}

/**
 * The S3 object of an EventBridge "Object Created" event, or null when the event is anything else (the
 * scheduler function also receives its schedule, ECS events and admin commands).
 */
export function parseS3ObjectCreated(event: unknown): S3ObjectCreated | null {
  if (typeof event !== 'object' || event === null) return null;
  const e = event as Record<string, unknown>;
  if (e.source !== 'aws.s3' || e['detail-type'] !== 'Object Created') return null;
  const detail = e.detail as { bucket?: { name?: unknown }; object?: Record<string, unknown> } | undefined;
  const bucket = detail?.bucket?.name;
  const key = detail?.object?.key;
  if (typeof bucket !== 'string' || typeof key !== 'string') return null;
  const object = detail!.object!;
  return {
    eventId: typeof e.id === 'string' ? e.id : `${bucket}/${key}`,
    bucket,
    key: decodeEventKey(key),
    size: typeof object.size === 'number' ? object.size : null,
    etag: typeof object.etag === 'string' ? object.etag : null,
    versionId: typeof object['version-id'] === 'string' ? object['version-id'] : null,
  };
}

function decodeEventKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    // Not valid percent-encoding: take the key as it came rather than drop the event.
    return key;
  }
}

/**
 * The asset URIs that an object URI updates: every URI that is a prefix of it. A bare bucket URI
 * (`s3://bucket`) means the whole bucket, never a bucket whose name merely starts the same.
 */
export function assetUrisForObject(objectUri: string, knownUris: Iterable<string>): string[] {
  const matching = new Set<string>();
  for (const uri of knownUris) {
    const prefix = /^s3:\/\/[^/]+$/.test(uri) ? `${uri}/` : uri;
    if (objectUri.startsWith(prefix)) matching.add(uri);
  }
  return [...matching].sort();
}

export interface S3AssetEventDeps {
  metastore: Pick<Metastore, 'listDags' | 'listAssets' | 'recordAssetEvents' | 'claimExternalEventTime'>;
  dagVersions: DagVersionCache;
  clock: Clock;
  logger: Logger;
}

export interface S3AssetEventResult {
  objectUri: string;
  /** The assets that got an event; empty when the object matches none (the event is then ignored). */
  assetUris: string[];
}

export class S3AssetEventRecorder {
  constructor(private readonly deps: S3AssetEventDeps) {}

  async record(object: S3ObjectCreated): Promise<S3AssetEventResult> {
    const objectUri = `s3://${object.bucket}/${object.key}`;
    const assetUris = assetUrisForObject(objectUri, await this.knownAssetUris());
    if (assetUris.length === 0) {
      this.deps.logger.debug('S3 object matches no asset; ignoring its event', { object_uri: objectUri });
      return { objectUri, assetUris };
    }
    // Stamped when first recorded, not with the event's time: an event delivered late must still count
    // for the next run instead of landing before what runs have already consumed. A redelivery (the
    // invocation failed after recording) reuses the first time, so it rewrites the same events.
    const timestamp = await this.deps.metastore.claimExternalEventTime(`s3/${object.eventId}`, this.deps.clock.now());
    const extra: Record<string, unknown> = { bucket: object.bucket, key: object.key, from_s3_event: true };
    if (object.size !== null) extra.size = object.size;
    if (object.etag !== null) extra.etag = object.etag;
    if (object.versionId !== null) extra.version_id = object.versionId;
    const events: AssetEventRecord[] = assetUris.map((assetUri) => ({
      assetUri,
      extra,
      timestamp,
      source: null,
      eventId: `s3/${object.eventId}`,
    }));
    await this.deps.metastore.recordAssetEvents(events);
    this.deps.logger.info('Recorded asset events for an S3 object', { object_uri: objectUri, assets: assetUris });
    return { objectUri, assetUris };
  }

  /** Assets named by active DAGs (schedules and outlets) and assets with events. */
  private async knownAssetUris(): Promise<Set<string>> {
    const [dags, assets] = await Promise.all([this.deps.metastore.listDags(), this.deps.metastore.listAssets()]);
    const uris = new Set(assets.map((asset) => asset.uri));
    await mapWithConcurrency(
      dags.filter((dag) => dag.isActive),
      VERSION_READ_CONCURRENCY,
      async (dag) => {
        try {
          const { serialized } = await this.deps.dagVersions.get(dag.dagId, dag.latestVersionId);
          if (serialized.assetCondition) for (const uri of assetConditionUris(serialized.assetCondition)) uris.add(uri);
          for (const task of serialized.tasks) for (const outlet of task.outlets ?? []) uris.add(outlet.uri);
        } catch (error) {
          this.deps.logger.warn(`Could not read DAG "${dag.dagId}" to match an S3 object to its assets`, { dag_id: dag.dagId, error: String(error) });
        }
      },
    );
    return uris;
  }
}
