import { dag, empty, task } from 'updraft/sdk';

const explode = task({ taskId: 'explode' }, () => {
  throw new Error('e2e failure on purpose');
});

export default dag({ dagId: 'e2e_failing', schedule: null }, () => {
  explode().setDownstream(empty({ taskId: 'after' }));
});
