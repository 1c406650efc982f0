import type { OperationId } from '../operations.ts';
import { UnsupportedApiVersionError } from './unsupported-version-error.ts';
import type { ApiVersion, BodyMigration, VersionChange } from './version-change.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Every version the server keeps, newest (head) first, as Cadwyn's `VersionBundle`. Handlers speak
 * head only; the bundle translates between head and the version a client names.
 */
export class VersionBundle {
  readonly versions: readonly ApiVersion[];

  constructor(versions: readonly ApiVersion[], readonly header: string) {
    checkVersions(versions);
    this.versions = versions;
  }

  get head(): string {
    return (this.versions[0] as ApiVersion).date;
  }

  get oldest(): string {
    return (this.versions[this.versions.length - 1] as ApiVersion).date;
  }

  get dates(): string[] {
    return this.versions.map((v) => v.date);
  }

  /** The version a request speaks: its header, or head when it sends none. */
  resolve(requested: string | undefined): string {
    if (requested === undefined) return this.head;
    const date = requested.trim();
    if (!this.versions.some((v) => v.date === date)) throw new UnsupportedApiVersionError(requested, this.header, this.dates);
    return date;
  }

  /** A body sent by a client of `version`, raised to head: the changes after it, oldest first. */
  requestToHead(operation: OperationId, version: string, body: unknown): unknown {
    return this.changesAfter(version)
      .reverse()
      .reduce((current, change) => apply(change.requests?.[operation], current), structuredClone(body));
  }

  /** A head answer lowered to what a client of `version` knows: the changes after it, newest first. */
  responseFromHead(operation: OperationId, version: string, body: unknown): unknown {
    return this.changesAfter(version).reduce(
      (current, change) => apply(change.responses?.[operation], current),
      structuredClone(body),
    );
  }

  /** The changes a client of `version` goes through, newest first. */
  changesAfter(version: string): VersionChange[] {
    const index = this.versions.findIndex((v) => v.date === version);
    if (index < 0) throw new UnsupportedApiVersionError(version, this.header, this.dates);
    return this.versions.slice(0, index).flatMap((v) => [...v.changes].reverse());
  }
}

function apply(migration: BodyMigration | undefined, body: unknown): unknown {
  return migration ? migration(body) : body;
}

/** A mistake here would silently mistranslate clients: refuse it when the server starts. */
function checkVersions(versions: readonly ApiVersion[]): void {
  if (versions.length === 0) throw new Error('A version bundle needs at least the head version.');
  const names = new Set<string>();
  versions.forEach((version, i) => {
    if (!DATE.test(version.date) || Number.isNaN(Date.parse(version.date))) {
      throw new Error(`API version "${version.date}" is not a YYYY-MM-DD date.`);
    }
    const newer = versions[i - 1];
    if (newer && newer.date <= version.date) {
      throw new Error(`API versions must be listed newest first without repeats: "${newer.date}" comes before "${version.date}".`);
    }
    for (const change of version.changes) {
      if (names.has(change.name)) throw new Error(`The version change "${change.name}" is listed twice; names must be unique.`);
      names.add(change.name);
    }
  });
  const oldest = versions[versions.length - 1] as ApiVersion;
  if (oldest.changes.length > 0) {
    throw new Error(`The oldest version "${oldest.date}" has changes, but there is no older version for them to translate to.`);
  }
}
