import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChildCommand, runParseChild } from '../../../../src/services/dag-processing/run-parse-child.ts';

/**
 * The parse child is replaced by tiny scripts here, to pin down how the parent treats a child that
 * reports, exits early or hangs. The real child is exercised by the DAG processor's integration tests.
 */
let dir: string;

async function script(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

function run(entry: string, timeoutSeconds = 30) {
  return runParseChild({
    bundlePath: join(dir, 'bundle.mjs'),
    dagsDir: dir,
    fileloc: 'a.ts',
    timeoutSeconds,
    command: { execArgv: [], entry },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'updraft-parse-child-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runParseChild', () => {
  it('returns the report the child sends and passes it the bundle, dags folder and fileloc', async () => {
    const entry = await script(
      'echo.mjs',
      'const [bundle, dags, fileloc] = process.argv.slice(2);\n' +
        'console.log("printed by the DAG file");\n' +
        'const message = JSON.stringify({ bundle, dags, fileloc, cwd: process.cwd() });\n' +
        'process.send({ ok: false, failure: { message, line: 7 } }, () => process.exit(0));\n',
    );
    const { report, output } = await run(entry);
    expect(report).toEqual({
      ok: false,
      failure: { message: JSON.stringify({ bundle: join(dir, 'bundle.mjs'), dags: dir, fileloc: 'a.ts', cwd: dir }), line: 7 },
    });
    expect(output).toContain('printed by the DAG file');
  });

  it('reports a child that exits without a report, with its last output', async () => {
    const entry = await script('exits.mjs', 'console.error("shutting down early");\nprocess.exit(3);\n');
    const { report } = await run(entry);
    expect(report.ok).toBe(false);
    if (report.ok) return;
    expect(report.failure.line).toBeNull();
    expect(report.failure.message).toContain('exit code 3');
    expect(report.failure.message).toContain('must not call process.exit');
    expect(report.failure.message).toContain('shutting down early');
  });

  it('refuses a report whose DAGs are not valid serialized DAGs', async () => {
    const entry = await script('forged.mjs', "process.send({ ok: true, dags: [{ dagId: 'forged' }] }, () => process.exit(0));\n");
    const { report } = await run(entry);
    expect(report.ok).toBe(false);
    if (report.ok) return;
    expect(report.failure.message).toMatch(/^Invalid serialized DAG: /);
  });

  it('kills a child that runs past the time limit', async () => {
    const entry = await script('hangs.mjs', 'for (;;) {}\n');
    const { report } = await run(entry, 1);
    expect(report).toEqual({
      ok: false,
      failure: {
        message:
          'DAG file took longer than 1 s to import; look for an infinite loop or slow work at the top level of the ' +
          'file (move it into a task), or raise the parse timeout.',
        line: null,
      },
    });
  });

  it('does not hand AWS credentials to DAG code', async () => {
    const entry = await script(
      'env.mjs',
      'const message = JSON.stringify({ key: process.env.AWS_SECRET_ACCESS_KEY ?? null, keep: process.env.UPDRAFT_TEST_KEEP ?? null });\n' +
        'process.send({ ok: false, failure: { message, line: null } }, () => process.exit(0));\n',
    );
    process.env.AWS_SECRET_ACCESS_KEY = 'do-not-leak';
    process.env.UPDRAFT_TEST_KEEP = 'kept';
    try {
      const { report } = await run(entry);
      expect(report).toEqual({ ok: false, failure: { message: JSON.stringify({ key: null, keep: 'kept' }), line: null } });
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.UPDRAFT_TEST_KEEP;
    }
  });
});

describe('parseChildCommand', () => {
  it('runs the TypeScript child through tsx from sources and the .mjs child from a build', () => {
    const fromSource = parseChildCommand();
    expect(fromSource.entry).toMatch(/src\/services\/dag-processing\/parse-child\.ts$/);
    expect(fromSource.execArgv[0]).toBe('--import');
    expect(fromSource.execArgv[1]).toMatch(/^file:.*tsx/);
    expect(parseChildCommand('file:///var/task/dag-processor.mjs')).toEqual({ execArgv: [], entry: '/var/task/parse-child.mjs' });
  });
});
