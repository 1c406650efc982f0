import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { LocalEndpoints } from './emulators.ts';

/** What a running `updraft standalone` publishes so that CLI commands can reach it. */
export interface StandaloneState {
  pid: number;
  startedAt: string;
  /** Absent while the standalone is still starting its emulators. */
  endpoints?: LocalEndpoints;
  executionApiUrl?: string;
  restApiUrl?: string;
}

export function standaloneStatePath(home: string): string {
  return join(home, 'standalone.json');
}

/** Written whole under a temporary name and moved into place, so a reader never sees half a file. */
function writeWhole(home: string, state: StandaloneState, place: (temp: string, path: string) => void): void {
  const path = standaloneStatePath(home);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  try {
    place(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Claims the state folder for a starting standalone, before it starts anything: two standalones started
 * together must not both open the same DynamoDB Local files, and a CLI command run meanwhile must wait
 * for this one rather than start emulators of its own. Returns the standalone that already holds the
 * folder, or null once this process holds it. A claim left by a process that is gone is taken over.
 */
export function claimStandalone(home: string, state: StandaloneState): StandaloneState | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // link() fails if the file exists, atomically: of two processes, exactly one creates it.
      writeWhole(home, state, (temp, path) => linkSync(temp, path));
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readRunningStandalone(home);
      if (holder) return holder;
      rmSync(standaloneStatePath(home), { force: true });
    }
  }
  throw new ConfigError(
    `Could not claim the state folder ${home} for this standalone: ${standaloneStatePath(home)} keeps changing. ` +
      'Stop the other Updraft processes that use it, or pick another folder with UPDRAFT_HOME.',
  );
}

/** Publishes the endpoints of a standalone that has claimed the folder and finished starting. */
export function writeStandaloneState(home: string, state: StandaloneState): void {
  writeWhole(home, state, (temp, path) => renameSync(temp, path));
}

/** Gives up this process's claim (after it stopped, or when it failed to start). */
export function releaseStandalone(home: string, pid: number = process.pid): void {
  const path = standaloneStatePath(home);
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StandaloneState;
    if (state.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(path, { force: true });
}

/** The running standalone's state, or null if none runs (a stale file from a crash counts as none). */
export function readRunningStandalone(home: string): StandaloneState | null {
  const path = standaloneStatePath(home);
  if (!existsSync(path)) return null;
  let state: StandaloneState | undefined;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as StandaloneState;
    process.kill(state.pid, 0);
    return state;
  } catch (error) {
    // EPERM: the process exists but belongs to another user, so it still holds the folder.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? (state ?? null) : null;
  }
}
