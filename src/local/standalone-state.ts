import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEndpoints } from './emulators.ts';

/** What a running `updraft standalone` publishes so that CLI commands can reach it. */
export interface StandaloneState {
  pid: number;
  startedAt: string;
  endpoints: LocalEndpoints;
  executionApiUrl: string;
}

export function standaloneStatePath(home: string): string {
  return join(home, 'standalone.json');
}

export function writeStandaloneState(home: string, state: StandaloneState): void {
  writeFileSync(standaloneStatePath(home), `${JSON.stringify(state, null, 2)}\n`);
}

/** The running standalone's state, or null if none runs (a stale file from a crash counts as none). */
export function readRunningStandalone(home: string): StandaloneState | null {
  const path = standaloneStatePath(home);
  if (!existsSync(path)) return null;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StandaloneState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return null;
  }
}
