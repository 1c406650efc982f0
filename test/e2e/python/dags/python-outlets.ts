/** A Python task that updates an asset, for test/e2e/python/python-task.test.ts. */
import { asset, dag, pythonTask } from 'updraft/sdk';

export default dag({ dagId: 'python_outlets', schedule: null, startDate: '2026-01-01T00:00:00Z' }, () => {
  pythonTask({ taskId: 'load_orders', script: 'python/outcomes.py', callable: 'emits', outlets: [asset('s3://lake/orders/')] });
});
