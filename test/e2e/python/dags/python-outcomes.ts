/** Python tasks that end in each way other than success, for test/e2e/python/python-task.test.ts. */
import { dag, pythonTask } from 'updraft/sdk';

export default dag({ dagId: 'python_outcomes', schedule: null, startDate: '2026-01-01T00:00:00Z' }, () => {
  pythonTask({ taskId: 'raises', script: 'python/outcomes.py', callable: 'raises' });
  pythonTask({ taskId: 'skips', script: 'python/outcomes.py', callable: 'skips' });
  pythonTask({ taskId: 'too_slow', script: 'python/outcomes.py', callable: 'too_slow', executionTimeout: 1 });
  pythonTask({ taskId: 'no_script', script: 'python/missing.py' });
});
