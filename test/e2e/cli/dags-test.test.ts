import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_DAGS, describeResult, parseJsonOutput, runCli, tempFolder } from './cli-harness.ts';

interface DagsTestJson {
  dag_id: string;
  run_id: string;
  state: string;
  task_instances: Array<{ task_id: string; state: string; try_number: number }>;
}

// Each `dags test` starts its own throw-away stack (DynamoDB Local, fauxqs, workers): seconds each.
describe('updraft dags test', { timeout: 180_000 }, () => {
  const home = tempFolder('dags-test');
  afterAll(() => home.remove());

  it('runs a passing DAG to success and prints one JSON object', async () => {
    const result = await runCli(
      ['dags', 'test', 'e2e_passing', '--output', 'json', '--dags-folder', FIXTURE_DAGS, '--logical-date', '2026-01-01'],
      { home: home.path },
    );
    expect(result.code, describeResult(result)).toBe(0);
    const output = parseJsonOutput<DagsTestJson>(result);
    expect(Object.keys(output).sort()).toEqual(['dag_id', 'run_id', 'state', 'task_instances']);
    expect(output).toEqual({
      dag_id: 'e2e_passing',
      run_id: 'manual__2026-01-01T00:00:00+00:00',
      state: 'success',
      task_instances: expect.any(Array),
    });
    expect(output.task_instances.sort((a, b) => a.task_id.localeCompare(b.task_id))).toEqual([
      { task_id: 'greet', state: 'success', try_number: 1 },
      { task_id: 'shout', state: 'success', try_number: 1 },
    ]);
  });

  it('exits 1 with state "failed" when a task fails', async () => {
    const result = await runCli(['dags', 'test', 'e2e_failing', '--output', 'json', '--dags-folder', FIXTURE_DAGS], {
      home: home.path,
    });
    expect(result.code, describeResult(result)).toBe(1);
    const output = parseJsonOutput<DagsTestJson>(result);
    expect(output.dag_id).toBe('e2e_failing');
    expect(output.run_id).toMatch(/^manual__\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(output.state).toBe('failed');
    expect(output.task_instances.sort((a, b) => a.task_id.localeCompare(b.task_id))).toEqual([
      { task_id: 'after', state: 'upstream_failed', try_number: 0 },
      { task_id: 'explode', state: 'failed', try_number: 1 },
    ]);
  });

  it('prints the run state, a table of task instances and the failed task\'s log without --output', async () => {
    const result = await runCli(['dags', 'test', 'e2e_failing', '--dags-folder', FIXTURE_DAGS], { home: home.path });
    expect(result.code, describeResult(result)).toBe(1);
    expect(result.stdout).toMatch(/DAG run manual__\S+: failed\n/);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((line) => /^task_id\s+\| state\s+\| try_number$/.test(line));
    expect(header, describeResult(result)).toBeGreaterThan(-1);
    expect(lines[header + 1]).toMatch(/^=+\+=+\+=+$/);
    expect(lines.slice(header + 2, header + 4).sort()).toEqual([
      expect.stringMatching(/^after\s+\| upstream_failed \| 0$/),
      expect.stringMatching(/^explode\s+\| failed\s+\| 1$/),
    ]);
    expect(result.stdout).toContain('--- log of explode (last attempt) ---');
    expect(result.stdout).toContain('e2e failure on purpose');
    // Progress goes to stderr, so that stdout stays the result.
    expect(result.stderr).toContain('explode: failed');
  });

  it('exits 1 for an unknown DAG id and names the DAGs it found', async () => {
    const result = await runCli(['dags', 'test', 'no_such_dag', '--dags-folder', FIXTURE_DAGS], { home: home.path });
    expect(result.code, describeResult(result)).toBe(1);
    expect(result.stderr).toContain('DAG "no_such_dag" was not found');
    expect(result.stderr).toMatch(/DAGs found: e2e_failing, e2e_passing\./);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 with a message when --conf is not JSON', async () => {
    const result = await runCli(['dags', 'test', 'e2e_passing', '--conf', 'not json', '--dags-folder', FIXTURE_DAGS], {
      home: home.path,
    });
    expect(result.code, describeResult(result)).toBe(2);
    expect(result.stderr).toMatch(/^Error: --conf must be a JSON object, e\.g\. --conf '\{"n": 3\}'/);
    expect(result.stdout).toBe('');
  });
});
