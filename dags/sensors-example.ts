/**
 * Sensors in reschedule mode: `wait_a_little` pokes every 3 seconds until 8 seconds have passed since
 * the run's logical date, giving its worker back between pokes (the same try is sent again with a queue
 * delay). Watch it go running → up_for_reschedule → running → success with
 * `npx updraft dags test sensors_example`.
 */
import { dag, sensor, task, timeDeltaSensor } from 'updraft/sdk';

const report = task({ taskId: 'report' }, (ctx, waited: unknown) => {
  ctx.log.info(`the sensor waited ${String(waited)} ms after the logical date`);
});

export default dag({ dagId: 'sensors_example', schedule: null, tags: ['example', 'sensors'] }, () => {
  // Done at once for a manual run: its data interval ends at its logical date.
  const settled = timeDeltaSensor({ taskId: 'settled', delta: 0, mode: 'reschedule', pokeInterval: 3 });
  const waited = sensor({ taskId: 'wait_a_little', mode: 'reschedule', pokeInterval: 3, timeout: 600, softFail: true }, (ctx) => {
    const elapsed = Date.now() - ctx.logicalDate.getTime();
    ctx.log.info(`${elapsed} ms since the logical date`);
    return elapsed >= 8_000 ? { done: true, xcomValue: elapsed } : false;
  });
  settled.setDownstream(waited);
  report(waited);
});
