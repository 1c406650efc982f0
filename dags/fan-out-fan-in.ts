/**
 * Fan-out and fan-in: one task starts six parallel partitions, a bash task per partition, and one task
 * joins their results. `chain` with lists builds the shape.
 */
import { bash, chain, dag, empty, task } from 'updraft/sdk';

const partitions = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-east'];

const summarize = task({ taskId: 'summarize' }, async (ctx) => {
  const counts: Record<string, number> = {};
  for (const partition of partitions) {
    counts[partition] = Number(await ctx.ti.xcomPull(`count_${partition.replace('-', '_')}`));
  }
  ctx.log.info(`Rows per partition: ${JSON.stringify(counts)}`);
  return Object.values(counts).reduce((a, b) => a + b, 0);
});

export default dag(
  {
    dagId: 'fan_out_fan_in',
    description: 'Six parallel bash tasks between a start and a join',
    schedule: null,
    tags: ['example'],
  },
  () => {
    const start = empty({ taskId: 'start' });
    const counts = partitions.map((partition) =>
      bash({
        taskId: `count_${partition.replace('-', '_')}`,
        // The last line of stdout is the task's XCom, as with Airflow's BashOperator.
        bashCommand: `echo "counting ${partition} for {{ ds }}"; echo $(( ${partition.length} * 10 ))`,
      }),
    );
    chain(start, counts, summarize());
  },
);
