// Ten thousand mapped instances over an upstream's list: measures the scheduler pass that expands them.
import { dag, task } from 'updraft/sdk';

const list = task({ taskId: 'list' }, () => Array.from({ length: 10_000 }, (_, i) => `s3://landing/part-${String(i).padStart(5, '0')}.parquet`));
const load = task({ taskId: 'load' }, (ctx, key: string) => key.length);

export default dag({ dagId: 'bench_map10k', schedule: null, maxActiveTasks: 16 }, () => {
  load.expand(list());
});
