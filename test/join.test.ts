import { describe, expect, it } from 'vitest';
import { joinConfig, validatePid } from '../src/join.js';
import { ALICE, fakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

describe('joinConfig', () => {
  it('joins every namespace that differs when no --flags are given, keeping the caller\'s environment and the hardening of run', () => {
    expect(joinConfig(4242, ['sh'], {}, fakeSystem())).toEqual({
      version: 1,
      command: ['sh'],
      namespaces: [],
      env: ['PATH=/usr/local/bin:/usr/bin', 'HOME=/root'],
      'stop-timeout': 10,
      'no-new-privs': true,
      join: { pid: 4242 },
    });
  });

  it('creates no namespace for an unprivileged caller either: user is not added', () => {
    expect(joinConfig(7, ['true'], {}, fakeSystem(ALICE)).namespaces).toEqual([]);
  });

  it('names the namespaces of --flags in table order', () => {
    expect(joinConfig(7, ['true'], { flags: 'net,user,ns' }, fakeSystem()).join).toEqual({ pid: 7, namespaces: ['mnt', 'net', 'user'] });
    expect(joinConfig(7, ['true'], { flags: ['uts'] }, fakeSystem()).join).toEqual({ pid: 7, namespaces: ['uts'] });
  });

  it('adds --env to the environment and takes an absolute --cwd', () => {
    const config = joinConfig(7, ['true'], { env: ['A=1'], cwd: '/srv' }, fakeSystem());
    expect(config.env).toContain('A=1');
    expect(config.cwd).toBe('/srv');
  });

  it.each([
    [{ cwd: 'relative' }, "invalid --cwd 'relative': expected an absolute path inside the target"],
    [{ flags: 'bogus' }, /^unknown namespace 'bogus' in --flags/],
    [{ env: ['NOEQUALS'] }, "invalid --env 'NOEQUALS': expected KEY=VALUE"],
  ])('refuses %j with a usage error', (options, message) => {
    const error = thrown(() => joinConfig(7, ['true'], options, fakeSystem()));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toMatch(message);
  });

  it('refuses an empty command', () => {
    expect(thrown(() => joinConfig(7, [], {}, fakeSystem())).message).toBe('no command given (see nsrun --help)');
  });
});

describe('validatePid', () => {
  it.each([['1', 1], [4242, 4242], ['2147483647', 2147483647]])('accepts %j', (value, pid) => {
    expect(validatePid('--target', value)).toBe(pid);
  });

  it.each(['0', '-1', '12ab', '', '2147483648', 1.5, '0x10'])('refuses %j', (value) => {
    const error = thrown(() => validatePid('--target', value));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toMatch(/^invalid --target .*: expected a process id, an integer from 1 to 2147483647$/);
  });
});
