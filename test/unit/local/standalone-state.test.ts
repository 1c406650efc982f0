import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { openLocalState } from '../../../src/local/local-state.ts';
import {
  claimStandalone,
  readRunningStandalone,
  releaseStandalone,
  standaloneStatePath,
  writeStandaloneState,
} from '../../../src/local/standalone-state.ts';

/** Above Linux's largest pid_max (2^22) and macOS's 99999: no process can have it. */
const GONE_PID = 99_999_999;
const endpoints = { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', s3: 'http://127.0.0.1:2', region: 'us-east-1' };

describe('the standalone state file', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'updraft-standalone-state-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('lets the first standalone claim a folder and names it to the next one', () => {
    expect(readRunningStandalone(home)).toBeNull();
    expect(claimStandalone(home, { pid: process.ppid, startedAt: '2026-01-01T00:00:00Z' })).toBeNull();
    expect(claimStandalone(home, { pid: process.pid, startedAt: '2026-01-01T00:00:01Z' })).toEqual({
      pid: process.ppid,
      startedAt: '2026-01-01T00:00:00Z',
    });
    expect(readRunningStandalone(home)?.pid).toBe(process.ppid);
  });

  it('takes over a claim left by a process that is gone', () => {
    writeFileSync(standaloneStatePath(home), JSON.stringify({ pid: GONE_PID, startedAt: 'then', endpoints }));
    expect(readRunningStandalone(home)).toBeNull();
    expect(claimStandalone(home, { pid: process.pid, startedAt: 'now' })).toBeNull();
    expect(readRunningStandalone(home)).toEqual({ pid: process.pid, startedAt: 'now' });
  });

  it('treats an unreadable file as no standalone', () => {
    writeFileSync(standaloneStatePath(home), '{"pid": ');
    expect(readRunningStandalone(home)).toBeNull();
    expect(claimStandalone(home, { pid: process.pid, startedAt: 'now' })).toBeNull();
  });

  it('publishes the endpoints once started, and releases only its own claim', () => {
    claimStandalone(home, { pid: process.pid, startedAt: 'now' });
    writeStandaloneState(home, { pid: process.pid, startedAt: 'now', endpoints, executionApiUrl: 'http://127.0.0.1:3' });
    expect(readRunningStandalone(home)?.endpoints).toEqual(endpoints);

    releaseStandalone(home, process.ppid);
    expect(existsSync(standaloneStatePath(home))).toBe(true);
    releaseStandalone(home);
    expect(existsSync(standaloneStatePath(home))).toBe(false);
  });

  it('makes a CLI command wait for a standalone that is still starting, then explain', async () => {
    claimStandalone(home, { pid: process.ppid, startedAt: 'now' });
    let notice = '';
    const out = new Writable({
      write(chunk, _encoding, callback) {
        notice += chunk.toString();
        callback();
      },
    });
    const opening = openLocalState(home, { startupWaitMs: 300, notice: out });
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toThrow(new RegExp(`^Updraft \\(pid ${process.ppid}\\) has been starting for over \\d+ s`));
    expect(notice).toBe(`Updraft is starting locally (pid ${process.ppid}); waiting for it…\n`);
  });
});
