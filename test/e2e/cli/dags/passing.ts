import { bash, chain, dag, task } from 'updraft/sdk';

const greet = task({ taskId: 'greet' }, (ctx) => {
  ctx.log.info(`hello from the e2e greet task of ${ctx.runId}`);
  return 'greeted';
});

export default dag({ dagId: 'e2e_passing', schedule: null, tags: ['e2e'] }, () => {
  chain(greet(), bash({ taskId: 'shout', bashCommand: 'echo "e2e says {{ ds }}"' }));
});
