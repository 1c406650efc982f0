import { describe, expect, it } from 'vitest';
import { fastPathGateAfterSuccess } from '../../../../src/core/scheduling/fast-path-gate.ts';
import { dag, task } from './builders.ts';

describe('fastPathGateAfterSuccess', () => {
  it('runs a pass at once for a leaf, which may finish the run', () => {
    expect(fastPathGateAfterSuccess(dag('d', [task('a'), task('b', ['a'])]), 'b')).toEqual({ passNow: true, counted: [] });
  });

  it('runs a pass at once when a downstream task has this one upstream', () => {
    expect(fastPathGateAfterSuccess(dag('d', [task('a'), task('b', ['a'])]), 'a').passNow).toBe(true);
  });

  it('counts toward a join before running a pass', () => {
    const joined = dag('d', [task('a'), task('b'), task('c'), task('join', ['a', 'b', 'c'])]);
    expect(fastPathGateAfterSuccess(joined, 'b')).toEqual({ passNow: false, counted: [{ taskId: 'join', needed: 3 }] });
  });

  it('does not count empty upstreams, which succeed inside a pass that already evaluates the join', () => {
    const joined = dag('d', [task('start', [], { operator: 'empty' }), task('a'), task('join', ['a', 'start'])]);
    expect(fastPathGateAfterSuccess(joined, 'a').passNow).toBe(true);
    const wider = dag('d', [task('start', [], { operator: 'empty' }), task('a'), task('b'), task('join', ['a', 'b', 'start'])]);
    expect(fastPathGateAfterSuccess(wider, 'a')).toEqual({ passNow: false, counted: [{ taskId: 'join', needed: 2 }] });
  });

  it.each(['one_success', 'one_done', 'all_failed', 'all_skipped'] as const)(
    'runs a pass at once for a %s join, which one success can settle',
    (triggerRule) => {
      const joined = dag('d', [task('a'), task('b'), task('join', ['a', 'b'], { triggerRule })]);
      expect(fastPathGateAfterSuccess(joined, 'a').passNow).toBe(true);
    },
  );

  it('runs a pass at once when any one of several downstream tasks needs it', () => {
    const shape = dag('d', [task('a'), task('b'), task('join', ['a', 'b']), task('next', ['a'])]);
    expect(fastPathGateAfterSuccess(shape, 'a').passNow).toBe(true);
  });
});
