import { describe, expect, it } from 'vitest';
import { lazyHandler } from '../../../functions/wiring/lazy-handler.ts';

/** A wiring that fails while `secretMissing` is set, and counts how often it ran. */
function wiring() {
  const state = { wirings: 0, secretMissing: false };
  const wire = async () => {
    state.wirings += 1;
    if (state.secretMissing) throw new Error('secret updraft/token-key not found');
    const wiredAt = state.wirings;
    return async (event: string, context: { requestId: string }) => `${event} for ${context.requestId} (wiring ${wiredAt})`;
  };
  return { state, wire };
}

describe('lazyHandler', () => {
  it('wires on the first invocation and reuses that wiring for later ones', async () => {
    const { state, wire } = wiring();
    const handler = lazyHandler(wire);
    expect(state.wirings).toBe(0);
    expect(await handler('GET /health', { requestId: 'r1' })).toBe('GET /health for r1 (wiring 1)');
    expect(await handler('GET /health', { requestId: 'r2' })).toBe('GET /health for r2 (wiring 1)');
    expect(state.wirings).toBe(1);
  });

  it('shares one wiring between invocations that arrive while it runs', async () => {
    const { state, wire } = wiring();
    const handler = lazyHandler(wire);
    const answers = await Promise.all([handler('a', { requestId: 'r1' }), handler('b', { requestId: 'r2' })]);
    expect(answers).toEqual(['a for r1 (wiring 1)', 'b for r2 (wiring 1)']);
    expect(state.wirings).toBe(1);
  });

  it('fails an invocation whose wiring failed, and wires again on the next one', async () => {
    const { state, wire } = wiring();
    const handler = lazyHandler(wire);
    state.secretMissing = true;
    await expect(handler('a', { requestId: 'r1' })).rejects.toThrow('secret updraft/token-key not found');
    state.secretMissing = false;
    expect(await handler('b', { requestId: 'r2' })).toBe('b for r2 (wiring 2)');
    expect(await handler('c', { requestId: 'r3' })).toBe('c for r3 (wiring 2)');
  });
});
