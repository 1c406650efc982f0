import { describe, expect, it } from 'vitest';
import { prefetchedXComTaskIds, resolveParams } from '../../../../src/services/execution/run-context.ts';

describe('resolveParams', () => {
  it('overlays conf on param defaults only for keys that are params', () => {
    const params = { region: { default: 'eu' }, limit: { default: 10, type: 'integer' as const }, flag: {} };
    expect(resolveParams(params, { limit: 50, unrelated: true })).toEqual({ region: 'eu', limit: 50 });
  });

  it('takes a conf value for a param without a default, including null', () => {
    expect(resolveParams({ target: {} }, { target: null })).toEqual({ target: null });
  });
});

describe('prefetchedXComTaskIds', () => {
  it('lists direct upstreams and tasks referenced by arguments, once each', () => {
    const ids = prefetchedXComTaskIds({
      upstreamTaskIds: ['extract', 'transform'],
      args: [
        { kind: 'xcom', taskId: 'transform', key: 'return_value' },
        { kind: 'literal', value: 1 },
        { kind: 'xcom', taskId: 'config', key: 'return_value' },
      ],
    });
    expect(ids).toEqual(['extract', 'transform', 'config']);
  });

  it('leaves out upstreams that push no return value', () => {
    const ids = prefetchedXComTaskIds({ upstreamTaskIds: ['start', 'extract'], args: [] }, [
      { taskId: 'start', doXcomPush: false },
      { taskId: 'extract', doXcomPush: true },
    ]);
    expect(ids).toEqual(['extract']);
  });
});
