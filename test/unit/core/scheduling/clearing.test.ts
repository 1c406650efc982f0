import { describe, expect, it } from 'vitest';
import {
  clearedInstanceChanges,
  markedInstanceChanges,
  runChangesAfterClear,
  selectInstancesToClear,
  selectInstancesToMark,
  withRelatives,
} from '../../../../src/core/scheduling/clearing.ts';
import { dag, run, task, ti } from './builders.ts';

// extract → transform → load, and extract → audit; report after load and audit.
const etl = dag('etl', [
  task('extract'),
  task('transform', ['extract']),
  task('audit', ['extract']),
  task('load', ['transform'], { retries: 2 }),
  task('report', ['audit', 'load']),
]);
const r = run('etl');

const ids = (tis: Array<{ taskId: string }>) => tis.map((t) => t.taskId);
const all = { taskIds: null, onlyFailed: false, onlyRunning: false, includeUpstream: false, includeDownstream: false };

describe('withRelatives', () => {
  it('follows downstream and upstream transitively, each on its own', () => {
    expect([...withRelatives(etl, ['transform'], { upstream: false, downstream: true })].sort()).toEqual(['load', 'report', 'transform']);
    expect([...withRelatives(etl, ['load'], { upstream: true, downstream: false })].sort()).toEqual(['extract', 'load', 'transform']);
    expect([...withRelatives(etl, ['audit'], { upstream: true, downstream: true })].sort()).toEqual(['audit', 'extract', 'report']);
  });

  it('keeps ids of tasks the DAG no longer has', () => {
    expect([...withRelatives(etl, ['gone'], { upstream: true, downstream: true })]).toEqual(['gone']);
  });
});

describe('selectInstancesToClear', () => {
  const tis = [
    ti(r, 'extract', 'success'),
    ti(r, 'transform', 'failed'),
    ti(r, 'audit', 'running'),
    ti(r, 'load', 'upstream_failed'),
    ti(r, 'report', 'upstream_failed'),
  ];

  it('clears every instance when no task is named, in DAG order', () => {
    expect(ids(selectInstancesToClear(etl, tis, all))).toEqual(['extract', 'transform', 'audit', 'load', 'report']);
  });

  it('with only_failed keeps failed and upstream_failed instances of the named tasks and their downstream', () => {
    const selected = selectInstancesToClear(etl, tis, { ...all, taskIds: ['extract'], includeDownstream: true, onlyFailed: true });
    expect(ids(selected)).toEqual(['transform', 'load', 'report']);
  });

  it('with only_running keeps running instances only', () => {
    expect(ids(selectInstancesToClear(etl, tis, { ...all, onlyRunning: true }))).toEqual(['audit']);
  });

  it('never clears excluded tasks', () => {
    expect(ids(selectInstancesToClear(etl, tis, { ...all, taskIds: ['transform'], includeDownstream: true, excludeTaskIds: ['transform'] }))).toEqual([
      'load',
      'report',
    ]);
  });
});

describe('clearedInstanceChanges', () => {
  it('resets the state, keeps the try number and allows the task its retries again', () => {
    const failed = ti(r, 'load', 'failed', { tryNumber: 3, maxTries: 3, workerId: 'w1', externalExecutorId: 'arn', endDate: new Date() });
    const changes = clearedInstanceChanges(failed, etl.tasks.find((t) => t.taskId === 'load'));
    expect(changes).toMatchObject({ state: 'none', maxTries: 6, workerId: null, externalExecutorId: null, endDate: null, startDate: null });
    // Its deadline alert may be sent again.
    expect(changes.deadlineAlertedAt).toBeNull();
    expect(changes).not.toHaveProperty('tryNumber');
  });

  it('keeps at least the tries made when the task is gone from the DAG', () => {
    expect(clearedInstanceChanges(ti(r, 'gone', 'failed', { tryNumber: 4, maxTries: 2 }), undefined).maxTries).toBe(4);
  });
});

describe('runChangesAfterClear', () => {
  it('queues a finished run again and leaves an active one alone', () => {
    expect(runChangesAfterClear({ state: 'failed' })).toEqual({ state: 'queued', startDate: null, endDate: null });
    expect(runChangesAfterClear({ state: 'success' })).toEqual({ state: 'queued', startDate: null, endDate: null });
    expect(runChangesAfterClear({ state: 'running' })).toBeNull();
    expect(runChangesAfterClear({ state: 'queued' })).toBeNull();
  });
});

describe('selectInstancesToMark', () => {
  const tis = [ti(r, 'extract', 'success'), ti(r, 'transform', 'failed'), ti(r, 'load', 'none'), ti(r, 'report', 'none'), ti(r, 'audit', 'success')];
  const mark = { taskId: 'transform', mapIndex: null, newState: 'success' as const, includeUpstream: false, includeDownstream: false };

  it('marks the task, and its relatives when asked, leaving those already in the state', () => {
    expect(ids(selectInstancesToMark(etl, tis, mark))).toEqual(['transform']);
    expect(ids(selectInstancesToMark(etl, tis, { ...mark, includeDownstream: true }))).toEqual(['transform', 'load', 'report']);
    expect(ids(selectInstancesToMark(etl, tis, { ...mark, includeUpstream: true }))).toEqual(['transform']);
  });

  it('narrows the task itself to the map index given', () => {
    const mapped = [ti(r, 'transform', 'failed', { mapIndex: 0 }), ti(r, 'transform', 'failed', { mapIndex: 1 })];
    expect(selectInstancesToMark(etl, mapped, { ...mark, mapIndex: 1 }).map((t) => t.mapIndex)).toEqual([1]);
  });

  it('ends the attempt: an end date, no worker', () => {
    const now = new Date('2024-01-02T00:00:00Z');
    const running = ti(r, 'transform', 'running', { startDate: new Date('2024-01-01T23:00:00Z'), workerId: 'w1' });
    expect(markedInstanceChanges(running, 'failed', now)).toMatchObject({
      state: 'failed',
      startDate: new Date('2024-01-01T23:00:00Z'),
      endDate: now,
      workerId: null,
    });
  });
});
