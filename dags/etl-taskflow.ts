/**
 * A TaskFlow ETL: three tasks whose return values flow to the next as XComs. It runs every minute so
 * that `npm start` shows scheduling at work; trigger it by hand with `npx updraft dags trigger etl_taskflow`.
 */
import { dag, task } from 'updraft/sdk';

interface Order {
  id: number;
  amount: number;
  currency: 'EUR' | 'USD';
}

const extract = task({ taskId: 'extract', retries: 2, retryDelay: 5 }, (ctx): Order[] => {
  ctx.log.info(`Extracting orders for ${ctx.ds}`);
  return [
    { id: 1, amount: 120, currency: 'EUR' },
    { id: 2, amount: 80, currency: 'USD' },
    { id: 3, amount: 42.5, currency: 'EUR' },
  ];
});

const transform = task({ taskId: 'transform' }, (ctx, orders: Order[]) => {
  const rate = Number(ctx.params.usdToEur);
  const totalEur = orders.reduce((sum, order) => sum + (order.currency === 'USD' ? order.amount * rate : order.amount), 0);
  return { orderCount: orders.length, totalEur: Math.round(totalEur * 100) / 100 };
});

const load = task({ taskId: 'load' }, (ctx, summary: { orderCount: number; totalEur: number }) => {
  ctx.log.info(`Loaded ${summary.orderCount} orders worth ${summary.totalEur} EUR for ${ctx.ds}`);
  return summary.totalEur;
});

export default dag(
  {
    dagId: 'etl_taskflow',
    description: 'Extract, transform and load orders with TaskFlow and XCom',
    schedule: '* * * * *',
    startDate: '2026-01-01T00:00:00Z',
    catchup: false,
    maxActiveRuns: 1,
    params: { usdToEur: 0.92 },
    tags: ['example', 'taskflow'],
  },
  () => {
    load(transform(extract()));
  },
);
