// Forty sequential no-op tasks: measures task-to-task latency through the whole path.
import { chain, dag, task } from 'updraft/sdk';

const noop = task({ taskId: 'step' }, () => null);

export default dag({ dagId: 'bench_chain40', schedule: null, maxActiveTasks: 64 }, () => {
  chain(...Array.from({ length: 40 }, () => noop()));
});
