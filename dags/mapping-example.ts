/**
 * Dynamic task mapping (Airflow's `expand()`): how many instances a task has is decided when the run
 * reaches it. `count_rows` runs once per file that `list_files` returns; `total` gets the list of
 * their results (map and reduce); `scale` fixes one argument with `partial()` and maps the other;
 * `pair` maps two literal lists (a cross product, 2 × 2 instances); `per_region` is a mapped task group
 * whose two tasks run once per region, instance i of `report` reading instance i of `fetch`;
 * `nothing_to_do` maps over an empty list and is skipped. No network: everything is computed in place.
 * Trigger it with `npx updraft dags trigger mapping_example`.
 */
import { dag, task, taskGroup } from 'updraft/sdk';

const listFiles = task({ taskId: 'list_files' }, (ctx): string[] => {
  ctx.log.info(`Listing the files of ${ctx.ds}`);
  return ['orders.csv', 'customers.csv', 'events.csv'];
});

const countRows = task({ taskId: 'count_rows' }, (ctx, file: string) => {
  // Stands in for reading the file: a row count that depends only on the name.
  const rows = file.length * 10;
  ctx.log.info(`${file}: ${rows} rows (map index ${ctx.ti.mapIndex})`);
  return rows;
});

const total = task({ taskId: 'total' }, (ctx, counts: number[]) => {
  const sum = counts.reduce((a, b) => a + b, 0);
  ctx.log.info(`${counts.length} files, ${sum} rows in all`);
  return sum;
});

const scale = task({ taskId: 'scale' }, (ctx, factor: number, rows: number) => rows * factor);

const pair = task({ taskId: 'pair' }, (ctx, letter: string, digit: number) => `${letter}${digit}`);

const fetchRegion = task({ taskId: 'fetch' }, (ctx, region: string) => ({ region, orders: region.length * 7 }));

const report = task({ taskId: 'report' }, (ctx, fetched: { region: string; orders: number }, region: string) => {
  ctx.log.info(`${region}: ${fetched.orders} orders`);
  return `${region}=${fetched.orders}`;
});

const nothingToDo = task({ taskId: 'nothing_to_do' }, (ctx, item: string) => item);

export default dag(
  {
    dagId: 'mapping_example',
    description: 'Dynamic task mapping: expand, partial, a mapped task group and an empty list',
    schedule: null,
    tags: ['example', 'mapping'],
  },
  () => {
    const counts = countRows.expand(listFiles());
    total(counts);
    scale.partial(2).expand(counts);
    pair.expand(['a', 'b'], [1, 2]);
    taskGroup.expand({ groupId: 'per_region' }, ['eu', 'us'], (region) => {
      report(fetchRegion(region), region);
    });
    nothingToDo.expand([]);
  },
);
