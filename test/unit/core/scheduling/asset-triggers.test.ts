import { describe, expect, it } from 'vitest';
import type { AssetEventRecord } from '../../../../src/core/model/records.ts';
import type { SerializedAssetCondition } from '../../../../src/core/model/serialized-dag.ts';
import {
  assetConditionUris,
  evaluateAssetCondition,
  eventsInWindow,
  MAX_TRIGGERING_EVENTS_PER_ASSET,
  planAssetTriggeredRun,
  queuedAssetUris,
  triggeringAssetEvents,
} from '../../../../src/core/scheduling/asset-triggers.ts';

const A = 's3://lake/a/';
const B = 's3://lake/b/';
const C = 's3://lake/c/';
const one = (uri: string): SerializedAssetCondition => ({ kind: 'asset', uri });
const all = (...of: SerializedAssetCondition[]): SerializedAssetCondition => ({ kind: 'all', of });
const any = (...of: SerializedAssetCondition[]): SerializedAssetCondition => ({ kind: 'any', of });

let sequence = 0;
function event(uri: string, at: string, extra: Record<string, unknown> = {}): AssetEventRecord {
  sequence += 1;
  return {
    assetUri: uri,
    extra,
    timestamp: new Date(at),
    source: { dagId: 'producer', runId: 'manual__x', taskId: 'write', mapIndex: -1, tryNumber: 1 },
    eventId: `e${String(sequence).padStart(4, '0')}`,
  };
}

const start = new Date('2025-01-01T00:00:00Z');

describe('evaluateAssetCondition', () => {
  it.each([
    ['a single asset', one(A), [A], true],
    ['a single asset, not updated', one(A), [B], false],
    ['all: one of two', all(one(A), one(B)), [A], false],
    ['all: both', all(one(A), one(B)), [A, B], true],
    ['any: one of two', any(one(A), one(B)), [B], true],
    ['any: none', any(one(A), one(B)), [C], false],
    ['A and (B or C) with A, C', all(one(A), any(one(B), one(C))), [A, C], true],
    ['A and (B or C) with B, C', all(one(A), any(one(B), one(C))), [B, C], false],
    ['(A and B) or C with C', any(all(one(A), one(B)), one(C)), [C], true],
    ['(A and B) or C with A', any(all(one(A), one(B)), one(C)), [A], false],
  ])('%s', (_label, condition, updated, expected) => {
    expect(evaluateAssetCondition(condition, new Set(updated))).toBe(expected);
  });

  it('lists each asset of a nested condition once', () => {
    expect(assetConditionUris(any(all(one(A), one(B)), all(one(B), one(C))))).toEqual([A, B, C]);
  });
});

describe('queuedAssetUris', () => {
  it('queues the condition\'s assets with an event after what was consumed, and no others', () => {
    const latest = new Map<string, Date | null>([
      [A, new Date('2025-01-01T00:00:01Z')],
      [B, new Date('2025-01-01T00:00:00Z')],
      ['s3://other/', new Date('2025-02-01T00:00:00Z')],
    ]);
    expect([...queuedAssetUris(all(one(A), one(B), one(C)), latest, start)]).toEqual([A]);
  });
});

describe('planAssetTriggeredRun', () => {
  it('makes no run while an all-condition waits for its second asset', () => {
    expect(planAssetTriggeredRun({ condition: all(one(A), one(B)), events: [event(A, '2025-01-01T01:00:00Z')], consumedThrough: start })).toBeNull();
  });

  it('makes one run of two events that arrived before it, consuming both, named after the latest', () => {
    const first = event(A, '2025-01-01T01:00:00Z', { n: 1 });
    const second = event(A, '2025-01-01T02:00:00Z', { n: 2 });
    const plan = planAssetTriggeredRun({ condition: one(A), events: [second, first], consumedThrough: start });
    expect(plan).toEqual({
      runId: 'asset_triggered__2025-01-01T02:00:00+00:00',
      runAfter: new Date('2025-01-01T02:00:00Z'),
      consumed: [first, second],
    });
  });

  it('consumes each event once: after a run, the same events make no further run', () => {
    const events = [event(A, '2025-01-01T01:00:00Z'), event(B, '2025-01-01T01:30:00Z')];
    const condition = all(one(A), one(B));
    const plan = planAssetTriggeredRun({ condition, events, consumedThrough: start })!;
    expect(plan.consumed).toHaveLength(2);
    expect(planAssetTriggeredRun({ condition, events, consumedThrough: plan.runAfter })).toBeNull();
    // A later update of A alone does not satisfy A and B again: B's earlier event was consumed.
    const later = [...events, event(A, '2025-01-01T03:00:00Z')];
    expect(planAssetTriggeredRun({ condition, events: later, consumedThrough: plan.runAfter })).toBeNull();
  });

  it('an any-condition consumes the events of every one of its assets, and ignores other assets', () => {
    const a = event(A, '2025-01-01T01:00:00Z');
    const b = event(B, '2025-01-01T00:30:00Z');
    const other = event('s3://elsewhere/', '2025-01-01T00:45:00Z');
    const plan = planAssetTriggeredRun({ condition: any(one(A), one(B)), events: [a, b, other], consumedThrough: start });
    expect(plan?.consumed).toEqual([b, a]);
  });

  it('the same input gives the same run id, so two schedulers deciding it write one run', () => {
    const events = [event(A, '2025-01-01T01:00:00.250Z')];
    const first = planAssetTriggeredRun({ condition: one(A), events, consumedThrough: start });
    const second = planAssetTriggeredRun({ condition: one(A), events: [...events], consumedThrough: start });
    expect(first?.runId).toBe('asset_triggered__2025-01-01T01:00:00.250000+00:00');
    expect(second?.runId).toBe(first?.runId);
  });
});

describe('eventsInWindow', () => {
  it('keeps the condition\'s events after `from` up to and including `runAfter`', () => {
    const inside = event(A, '2025-01-01T02:00:00Z');
    const events = [event(A, '2025-01-01T00:00:00Z'), inside, event(A, '2025-01-01T03:00:00Z'), event(C, '2025-01-01T02:00:00Z')];
    expect(eventsInWindow(all(one(A), one(B)), events, start, new Date('2025-01-01T02:00:00Z'))).toEqual([inside]);
  });
});

describe('triggeringAssetEvents', () => {
  it('groups events by asset in Airflow\'s field names', () => {
    const a = event(A, '2025-01-01T01:00:00Z', { rows: 3 });
    expect(triggeringAssetEvents([a])).toEqual({
      [A]: [
        {
          uri: A,
          extra: { rows: 3 },
          timestamp: '2025-01-01T01:00:00.000Z',
          source_dag_id: 'producer',
          source_task_id: 'write',
          source_run_id: 'manual__x',
          source_map_index: -1,
        },
      ],
    });
  });

  it('keeps only the latest events of an asset updated very often, so the run record stays small', () => {
    const burst = Array.from({ length: MAX_TRIGGERING_EVENTS_PER_ASSET + 5 }, (_, i) => event(A, new Date(start.getTime() + (i + 1) * 1000).toISOString()));
    const grouped = triggeringAssetEvents(burst)[A]!;
    expect(grouped).toHaveLength(MAX_TRIGGERING_EVENTS_PER_ASSET);
    expect(grouped[0]!.timestamp).toBe(burst[5]!.timestamp.toISOString());
    expect(grouped.at(-1)!.timestamp).toBe(burst.at(-1)!.timestamp.toISOString());
  });
});
