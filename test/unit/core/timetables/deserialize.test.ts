import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SerializedTimetable } from '../../../../src/core/model/serialized-dag.ts';
import { deserializeTimetable } from '../../../../src/core/timetables/deserialize.ts';
import {
  CronDataIntervalTimetable,
  CronTriggerTimetable,
  DeltaDataIntervalTimetable,
  NullTimetable,
  OnceTimetable,
  ScheduleError,
  type SerializedTimetableJson,
  type Timetable,
} from '../../../../src/sdk/timetables/index.ts';

const timetables: [string, Timetable][] = [
  ['cron data interval', new CronDataIntervalTimetable('30 2 * * *', 'Europe/Berlin')],
  ['cron trigger', new CronTriggerTimetable('@hourly', 'America/New_York', { interval: 1800 })],
  ['delta data interval', new DeltaDataIntervalTimetable(5400)],
  ['once', new OnceTimetable()],
  ['null', new NullTimetable()],
];

describe('deserializeTimetable', () => {
  it('keeps the SDK and core serialized forms identical', () => {
    expectTypeOf<SerializedTimetableJson>().toEqualTypeOf<SerializedTimetable>();
    const fromSdk: SerializedTimetable = new OnceTimetable().serialize();
    const fromCore: SerializedTimetableJson = fromSdk;
    expect(fromCore).toEqual({ type: 'once' });
  });

  it.each(timetables)('round-trips a %s timetable through JSON and plans the same runs', (_name, original) => {
    const json = JSON.parse(JSON.stringify(original.serialize())) as SerializedTimetable;
    const restored = deserializeTimetable(json);
    expect(restored.constructor).toBe(original.constructor);
    expect(restored.serialize()).toEqual(original.serialize());
    expect(restored.summary).toBe(original.summary);
    expect(restored.periodic).toBe(original.periodic);

    const now = new Date('2024-10-27T12:00:00Z');
    for (const catchup of [true, false]) {
      let lastOriginal = null;
      let lastRestored = null;
      for (let i = 0; i < 30; i++) {
        const args = { restriction: { earliest: new Date('2024-10-26T00:00:00Z'), latest: null, catchup }, now };
        const a = original.nextDagRunInfo({ ...args, lastAutomatedDataInterval: lastOriginal });
        const b = restored.nextDagRunInfo({ ...args, lastAutomatedDataInterval: lastRestored });
        expect(b).toEqual(a);
        if (a === null) break;
        lastOriginal = a.dataInterval;
        lastRestored = b!.dataInterval;
      }
    }
    expect(restored.inferManualDataInterval(now)).toEqual(original.inferManualDataInterval(now));
  });

  it('serializes the expected JSON for each timetable', () => {
    expect(timetables.map(([, t]) => t.serialize())).toEqual([
      { type: 'cron_data_interval', cron: '30 2 * * *', timezone: 'Europe/Berlin' },
      { type: 'cron_trigger', cron: '0 * * * *', timezone: 'America/New_York', intervalSeconds: 1800 },
      { type: 'delta_data_interval', seconds: 5400 },
      { type: 'once' },
      { type: 'null' },
    ]);
  });

  it('refuses JSON it cannot rebuild, saying what it expected', () => {
    expect(() => deserializeTimetable({ type: 'cron_trigger', cron: 'nope', timezone: 'UTC', intervalSeconds: 0 })).toThrow(
      ScheduleError,
    );
    expect(() => deserializeTimetable({ type: 'weekly_magic' } as never)).toThrow(/weekly_magic.*cron_trigger/);
  });
});
