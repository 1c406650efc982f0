/**
 * TypeScript and Python in one DAG: a TaskFlow task extracts orders, a Python task
 * (dags/python/transform.py) summarises them, and a TaskFlow task reports the Python task's result.
 * XComs cross the language boundary as JSON. Trigger it with `npx updraft dags trigger python_mixed`.
 */
import { dag, pythonTask, task } from 'updraft/sdk';

interface Order {
  id: number;
  amount: number;
  currency: 'EUR' | 'USD';
}

interface Summary {
  orderCount: number;
  totalEur: number;
  currencies: string[];
}

const extract = task({ taskId: 'extract' }, (ctx): Order[] => {
  ctx.log.info(`Extracting orders for ${ctx.ds}`);
  return [
    { id: 1, amount: 120, currency: 'EUR' },
    { id: 2, amount: 80, currency: 'USD' },
    { id: 3, amount: 42.5, currency: 'EUR' },
  ];
});

const report = task({ taskId: 'report' }, (ctx, summary: Summary) => {
  ctx.log.info(`${summary.orderCount} orders in ${summary.currencies.join(', ')} worth ${summary.totalEur} EUR`);
  return `${summary.orderCount} orders, ${summary.totalEur} EUR`;
});

export default dag(
  {
    dagId: 'python_mixed',
    description: 'A TypeScript task, a Python task that transforms its XCom, and a TypeScript task that uses the result',
    schedule: null,
    startDate: '2026-01-01T00:00:00Z',
    params: { usdToEur: 0.92 },
    tags: ['example', 'python'],
  },
  () => {
    const summary = pythonTask<Summary>({ taskId: 'transform', script: 'python/transform.py', args: [extract()], executionTimeout: 120 });
    report(summary);
  },
);
