import { describe, expect, it } from 'vitest';
import { decideDagRunState, explainDagRunState } from '../../../../src/core/scheduling/run-state.ts';
import { dag, run, task, ti } from './builders.ts';

const r = run('etl');
// extract → transform → load, and extract → audit (two leaves: load and audit)
const etl = dag('etl', [task('extract'), task('transform', ['extract']), task('load', ['transform']), task('audit', ['extract'])]);

describe('decideDagRunState', () => {
  it('succeeds when every task instance finished and every leaf succeeded', () => {
    const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'success'), ti(r, 'load', 'success'), ti(r, 'audit', 'success')];
    expect(explainDagRunState(etl, tis)).toEqual({ state: 'success', reason: 'success' });
  });

  it('succeeds when leaves were skipped', () => {
    const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'skipped'), ti(r, 'load', 'skipped'), ti(r, 'audit', 'success')];
    expect(decideDagRunState(etl, tis)).toBe('success');
  });

  it('fails when a leaf failed', () => {
    const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'success'), ti(r, 'load', 'success'), ti(r, 'audit', 'failed')];
    expect(explainDagRunState(etl, tis)).toEqual({ state: 'failed', reason: 'task_failure' });
  });

  it('fails when a leaf is upstream_failed', () => {
    const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'failed'), ti(r, 'load', 'upstream_failed'), ti(r, 'audit', 'success')];
    expect(decideDagRunState(etl, tis)).toBe('failed');
  });

  it('succeeds when an inner task failed but every leaf succeeded (leaves decide, as in Airflow)', () => {
    const tolerant = dag('etl', [task('extract'), task('cleanup', ['extract'], { triggerRule: 'all_done' })]);
    expect(decideDagRunState(tolerant, [ti(r, 'extract', 'failed'), ti(r, 'cleanup', 'success')])).toBe('success');
  });

  it('keeps running while any task instance is unfinished, even if a leaf already failed', () => {
    const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'running'), ti(r, 'load', 'none'), ti(r, 'audit', 'failed')];
    expect(decideDagRunState(etl, tis)).toBe('running');
  });

  it('keeps running while a task waits for its retry', () => {
    const tis = [ti(r, 'extract', 'up_for_retry'), ti(r, 'transform', 'none'), ti(r, 'load', 'none'), ti(r, 'audit', 'none')];
    expect(decideDagRunState(etl, tis)).toBe('running');
  });

  it('keeps running while task instances are still to be created', () => {
    expect(decideDagRunState(etl, [ti(r, 'extract', 'success')])).toBe('running');
  });

  it('fails a deadlocked run: unfinished instances that can never be scheduled', () => {
    // A removed upstream never satisfies all_success for an unmapped task, and nothing else can change.
    const tis = [ti(r, 'extract', 'removed'), ti(r, 'transform', 'none'), ti(r, 'load', 'none'), ti(r, 'audit', 'none')];
    expect(explainDagRunState(etl, tis)).toEqual({ state: 'failed', reason: 'all_tasks_deadlocked' });
  });

  it('is not deadlocked while an unfinished instance could still be moved by planning', () => {
    const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'none'), ti(r, 'load', 'none'), ti(r, 'audit', 'none')];
    expect(decideDagRunState(etl, tis)).toBe('running');
  });
});
