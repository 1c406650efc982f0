/**
 * A task that fails on its first try and succeeds on the retry, as flaky work does: watch it go
 * running → up_for_retry → queued → running → success with `npx updraft dags test retry_once`.
 */
import { dag, task } from 'updraft/sdk';

const flaky = task({ taskId: 'flaky', retries: 2, retryDelay: 1 }, (ctx) => {
  if (ctx.ti.tryNumber === 1) {
    throw new Error('Simulated transient failure on the first try');
  }
  ctx.log.info(`Succeeded on try ${ctx.ti.tryNumber}`);
  return ctx.ti.tryNumber;
});

const report = task({ taskId: 'report' }, (ctx, tries: number) => {
  ctx.log.info(`flaky needed ${tries} tries`);
});

export default dag({ dagId: 'retry_once', schedule: null, tags: ['example', 'retries'] }, () => {
  report(flaky());
});
