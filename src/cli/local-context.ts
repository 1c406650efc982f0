import { loadLocalConfig } from '../local/local-config.ts';
import { openLocalState, type LocalState } from '../local/local-state.ts';

/**
 * Runs a CLI command against local mode's state (through the running standalone if there is one).
 * Issue #6 adds `--api-url` to talk to a deployed REST API instead.
 */
export async function withLocalState<T>(action: (state: LocalState) => Promise<T>): Promise<T> {
  const config = loadLocalConfig();
  const state = await openLocalState(config.home);
  try {
    return await action(state);
  } finally {
    await state.close();
  }
}
