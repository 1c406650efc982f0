import type { OperationId } from '../operations.ts';

/**
 * One named, documented difference between a released version and the version after it, modelled on
 * Cadwyn's `VersionChange`. The server only speaks head; a change carries the two translations that
 * let an older client keep working: its requests up to the newer shape, and newer answers down to the
 * shape it knows. Migrations receive a deep copy and may mutate it.
 */
export interface VersionChange {
  /** PascalCase, unique across all versions (e.g. `AddRunAfterToStartAnswer`). */
  readonly name: string;
  /** What changed and why, for the changelog and the OpenAPI document. */
  readonly description: string;
  /** Older request body → newer request body, per operation. */
  readonly requests?: Partial<Record<OperationId, BodyMigration>>;
  /** Newer success body → older success body, per operation. Error bodies are not migrated. */
  readonly responses?: Partial<Record<OperationId, BodyMigration>>;
}

/** Returns the migrated body (it may return the same, mutated object). */
export type BodyMigration = (body: unknown) => unknown;

/**
 * A dated version: `changes` are what this version changed relative to the one before it, so a client
 * speaking an older version goes through them and a client speaking this version does not.
 */
export interface ApiVersion {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly changes: readonly VersionChange[];
}

/** Mutates `body` only when it is a plain object; other bodies pass through untouched. */
export function whenObject(migrate: (body: Record<string, unknown>) => void): BodyMigration {
  return (body) => {
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) migrate(body as Record<string, unknown>);
    return body;
  };
}
