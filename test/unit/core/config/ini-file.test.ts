import { describe, expect, it } from 'vitest';
import { parseIniText } from '../../../../src/core/config/ini-file.ts';
import { ConfigError } from '../../../../src/core/errors.ts';

describe('parseIniText', () => {
  it('reads sections and keys with their line numbers, skipping blank lines and # and ; comments', () => {
    const text = ['# Updraft', '', '[core]', 'executor = lambda,fargate', '; a comment', '  parallelism: 8  ', '[Fargate]', 'CLUSTER=updraft'].join('\n');
    expect(parseIniText('./updraft.cfg', text)).toEqual([
      { section: 'core', key: 'executor', value: 'lambda,fargate', line: 4, sectionLine: 3 },
      { section: 'core', key: 'parallelism', value: '8', line: 6, sectionLine: 3 },
      { section: 'fargate', key: 'cluster', value: 'updraft', line: 8, sectionLine: 7 },
    ]);
  });

  it('keeps # inside a value, because a custom executor entry is module#Export', () => {
    expect(parseIniText('u.cfg', '[core]\nexecutor = Gpu:./gpu.ts#GpuExecutor')).toEqual([
      { section: 'core', key: 'executor', value: 'Gpu:./gpu.ts#GpuExecutor', line: 2, sectionLine: 1 },
    ]);
  });

  it('splits at the first delimiter so values may hold = and :', () => {
    expect(parseIniText('u.cfg', '[core]\nexecutor: Gpu:./gpu.ts#G\nauth_manager = ./a.ts#A=b')).toEqual([
      { section: 'core', key: 'executor', value: 'Gpu:./gpu.ts#G', line: 2, sectionLine: 1 },
      { section: 'core', key: 'auth_manager', value: './a.ts#A=b', line: 3, sectionLine: 1 },
    ]);
  });

  it('reads Windows line endings and an empty value', () => {
    expect(parseIniText('u.cfg', '[fargate]\r\nsubnets =\r\n')).toEqual([{ section: 'fargate', key: 'subnets', value: '', line: 2, sectionLine: 1 }]);
  });

  it.each([
    ['executor = lambda', './updraft.cfg:1: "executor" comes before any section; put it under a header such as [core].'],
    ['[core]\njust some words', './updraft.cfg:2: expected "[section]" or "key = value", got "just some words".'],
    ['[core]\n= lambda', './updraft.cfg:2: expected "[section]" or "key = value"'],
    ['[]', './updraft.cfg:1: a section header needs a name, e.g. [core].'],
    ['[core]\nexecutor = a\nEXECUTOR = b', './updraft.cfg:3: [core] executor is already set on line 2; set it once.'],
    ['[core]\n[fargate]\n[core]', './updraft.cfg:3: section [core] was already opened on line 1'],
  ])('refuses %j naming the file and line', (text, message) => {
    expect(() => parseIniText('./updraft.cfg', text)).toThrow(ConfigError);
    expect(() => parseIniText('./updraft.cfg', text)).toThrow(message);
  });

  it('reports every problem of the file at once', () => {
    expect(() => parseIniText('u.cfg', 'a = 1\n[core]\nnonsense')).toThrow(
      'The configuration file u.cfg cannot be read (2 problems):\n  - u.cfg:1: "a" comes before any section; put it under a header such as [core].\n  - u.cfg:3: expected',
    );
  });
});
