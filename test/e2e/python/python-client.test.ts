/**
 * The Python client's own unittest suite (sdk/python/tests), run by python3 so that `npm test` and CI
 * run it with everything else.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('sdk/python', () => {
  it('passes its unittest suite under python3', () => {
    const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'sdk/python/tests'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG },
      timeout: 120_000,
    });
    const report = `${result.stderr}\n${result.stdout}`;
    expect(result.error, 'python3 must be on PATH to run the Python client tests').toBeUndefined();
    expect(result.status, report).toBe(0);
    // unittest prints "Ran N tests in ...s" then "OK": a suite that found no tests would be a silent pass.
    const ran = /Ran (\d+) tests? in/.exec(result.stderr);
    expect(Number(ran?.[1] ?? 0), report).toBeGreaterThanOrEqual(20);
    expect(result.stderr).toMatch(/\nOK\n?$/);
  }, 150_000);
});
