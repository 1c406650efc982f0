// Five hundred parallel no-op tasks between a start and an end: measures throughput.
import { chain, dag, empty, task } from 'updraft/sdk';

const noop = task({ taskId: 'leaf' }, () => null);

export default dag({ dagId: 'bench_fanout500', schedule: null, maxActiveTasks: 1000 }, () => {
  chain(empty({ taskId: 'start' }), Array.from({ length: 500 }, () => noop()), empty({ taskId: 'end' }));
});
