// A thousand mapped instances and a task that reduces their results: measures mapped throughput.
import { dag, task } from 'updraft/sdk';

const square = task({ taskId: 'square' }, (ctx, n: number) => n * n);
const total = task({ taskId: 'total' }, (ctx, values: number[]) => values.reduce((sum, value) => sum + value, 0));

export default dag({ dagId: 'bench_map1000', schedule: null, maxActiveTasks: 64 }, () => {
  total(square.expand(Array.from({ length: 1000 }, (_, i) => i)));
});
