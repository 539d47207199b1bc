import { describe, expect, it } from 'vitest';
import type { HelperConfig } from '../src/config.js';
import { formatMessage, fromHelperError, HELPER_STEPS, invalidValue, NsrunError, usageError } from '../src/errors.js';
import { normalizeOptions, type NsrunOptions } from '../src/options.js';
import { ALICE, fakeSystem, type FakeSystem } from './support/system.js';

const EPERM = 1;
const ENOENT = 2;
const EACCES = 13;
const ENOSPC = 28;
const EINVAL = 22;

function configFor(options: NsrunOptions, system: FakeSystem = {}): HelperConfig {
  return normalizeOptions(['prog', 'arg'], options, fakeSystem(system));
}

/** The line nsrun prints for the helper's error record, and the error behind it. */
function report(record: object, options: NsrunOptions = {}, system: FakeSystem = {}): { line: string; error: NsrunError } {
  const error = fromHelperError(record, { config: configFor(options, system), system: fakeSystem(system) });
  return { line: formatMessage(error), error };
}

describe('formatMessage', () => {
  it.each([
    [usageError('unknown option --foo (see nsrun --help)'), 'nsrun: unknown option --foo (see nsrun --help)'],
    [usageError('bad', 'do better'), 'nsrun: bad (hint: do better)'],
    [invalidValue('--uid', 'x', 'expected a number'), "nsrun: invalid --uid 'x': expected a number"],
    [invalidValue('--gid-map', [0, 1], 'expected three numbers'), 'nsrun: invalid --gid-map [0,1]: expected three numbers'],
  ])('formats %s', (error, line) => {
    expect(formatMessage(error)).toBe(line);
  });

  it('marks what is not an NsrunError as an internal error', () => {
    expect(formatMessage('boom')).toBe('nsrun: internal error: boom');
    expect(formatMessage(new TypeError('x'))).toMatch(/^nsrun: internal error: TypeError: x\n/);
  });

  it('gives usage errors exit code 2 and keeps the cause', () => {
    const cause = new Error('inner');
    const error = new NsrunError('outer', { step: 'helper', exitCode: 125, cause });
    expect(usageError('x')).toMatchObject({ step: 'usage', exitCode: 2, name: 'NsrunError' });
    expect(error.cause).toBe(cause);
  });
});

describe.each(HELPER_STEPS)('an error record of step %s', (step) => {
  it('becomes an NsrunError with the record’s members and one message line', () => {
    const { line, error } = report({ step, syscall: 'somecall', errno: EINVAL, detail: 'the object', 'exit-code': 125, future: 1 });
    expect(error).toMatchObject({ step, syscall: 'somecall', errno: EINVAL, code: 'EINVAL', detail: 'the object', exitCode: 125 });
    expect(line).toMatch(/^nsrun: \S.*[^:]$/);
    expect(line).not.toContain('\n');
  });
});

describe('fromHelperError words each failure', () => {
  it.each([
    [{ step: 'exec', syscall: 'execve', errno: ENOENT, detail: 'prog', 'exit-code': 127 }, 127, 'nsrun: prog: command not found'],
    [{ step: 'exec', errno: ENOENT }, 127, 'nsrun: prog: command not found'],
    [{ step: 'exec', errno: EACCES, detail: './script' }, 126, 'nsrun: ./script: cannot execute: permission denied'],
    [{ step: 'exec', errno: 8, detail: 'blob', 'exit-code': 126 }, 126, 'nsrun: blob: cannot execute: exec format error'],
    [
      { step: 'cwd', syscall: 'chdir', errno: ENOENT, detail: '/nope' },
      125,
      "nsrun: cannot enter /nope: no such file or directory (hint: it is nsrun's working directory, entered by its path after the mounts; --cwd DIR names one inside)",
    ],
    [{ step: 'mount-sys', syscall: 'mount', errno: EPERM, detail: '/sys' }, 125, 'nsrun: cannot mount a new /sys: operation not permitted'],
    [
      { step: 'config', errno: 0, detail: 'unknown member "x"', 'exit-code': 125 },
      125,
      'nsrun: the helper rejected the config: unknown member "x" (hint: nsrun and its helper may be out of step; run `make`)',
    ],
    [{ step: 'teleport', errno: EPERM }, 125, "nsrun: the helper failed at step 'teleport': operation not permitted"],
    [{}, 125, "nsrun: the helper failed at step 'unknown'"],
  ])('%j', (record, exitCode, line) => {
    const result = report(record);
    expect(result.line).toBe(line);
    expect(result.error.exitCode).toBe(exitCode);
  });
});

describe('fromHelperError computes hints from the system', () => {
  const userRefused = { step: 'clone', syscall: 'clone', errno: EPERM };

  it.each([
    [
      'unprivileged_userns_clone is 0',
      { '/proc/sys/kernel/unprivileged_userns_clone': '0\n', '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n' },
      'unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0',
    ],
    [
      'AppArmor restricts user namespaces',
      { '/proc/sys/kernel/unprivileged_userns_clone': '1\n', '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1\n' },
      'AppArmor restricts unprivileged user namespaces: kernel.apparmor_restrict_unprivileged_userns is 1',
    ],
    ['max_user_namespaces is 0', { '/proc/sys/user/max_user_namespaces': '0\n' }, 'the limit user.max_user_namespaces is 0'],
    ['no sysctl forbids them', {}, 'the kernel refused a new user namespace; a seccomp filter'],
  ])('clone EPERM with a user namespace, when %s', (_, files, hint) => {
    const system = { ...ALICE, files: { ...ALICE.files, ...files } };
    const { line, error } = report(userRefused, { flags: 'uts' }, system);
    expect(error.hint?.startsWith(hint)).toBe(true);
    expect(line).toMatch(/^nsrun: cannot create the namespaces uts, user: operation not permitted \(hint: .+\)$/);
  });

  it('an explicit --cwd that cannot be entered gets no hint about nsrun\'s own directory', () => {
    const { line } = report({ step: 'cwd', syscall: 'chdir', errno: ENOENT, detail: '/nope' }, { cwd: '/nope' });
    expect(line).toBe('nsrun: cannot enter /nope: no such file or directory');
  });

  it('id-maps EACCES under AppArmor names the sysctl', () => {
    const system = { ...ALICE, files: { ...ALICE.files, '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1' } };
    expect(report({ step: 'id-maps', errno: EACCES }, {}, system).error.hint).toMatch(/^AppArmor restricts/);
  });

  it('id-maps EPERM for an unprivileged map of more than its own id points to --map auto', () => {
    const { error } = report({ step: 'id-maps', errno: EPERM, detail: '/proc/77' }, { uidMap: ['0:1000:1', '1:100000:10'] }, ALICE);
    expect(error.message).toBe('cannot write uid_map and gid_map of /proc/77: operation not permitted');
    expect(error.hint).toMatch(/^without privileges a map may only map your own id with count 1; --map auto/);
  });

  it('clone EPERM without a user namespace suggests adding one', () => {
    expect(report({ step: 'clone', errno: EPERM }, { flags: 'uts,net' }).line).toBe(
      'nsrun: cannot create the namespaces uts, net: operation not permitted ' +
        '(hint: creating namespaces needs CAP_SYS_ADMIN; add user to --flags to create them in a new user namespace)',
    );
  });

  it.each([
    [
      'one limit is 0',
      { '/proc/sys/user/max_uts_namespaces': '0\n', '/proc/sys/user/max_net_namespaces': '10\n' },
      'the limit user.max_uts_namespaces is 0',
    ],
    [
      'two limits are 0',
      { '/proc/sys/user/max_uts_namespaces': '0', '/proc/sys/user/max_net_namespaces': '0' },
      'the limits user.max_uts_namespaces, user.max_net_namespaces are 0',
    ],
    [
      'no limit is 0',
      { '/proc/sys/user/max_uts_namespaces': '5\n', '/proc/sys/user/max_net_namespaces': '7\n' },
      'one of these limits is reached: user.max_uts_namespaces = 5, user.max_net_namespaces = 7',
    ],
    ['the limits cannot be read', {}, undefined],
  ])('clone ENOSPC when %s', (_, files, hint) => {
    expect(report({ step: 'clone', errno: ENOSPC }, { flags: 'uts,net' }, { files }).error.hint).toBe(hint);
  });

  it.each([
    ['EPERM with pid', EPERM, 'uts,pid,ns', /^a new \/proc needs a PID namespace owned by the new user namespace.*pass --no-proc$/],
    ['EINVAL with pid', EINVAL, 'all', /pass --no-proc$/],
  ])('mount-proc %s', (_, errno, flags, hint) => {
    const { line, error } = report({ step: 'mount-proc', syscall: 'mount', errno, detail: '/proc' }, { flags });
    expect(error.hint).toMatch(hint);
    expect(line.startsWith('nsrun: cannot mount a new /proc: ')).toBe(true);
  });

  it('mount-proc without a PID namespace suggests adding one', () => {
    const config: HelperConfig = { ...configFor({ flags: 'ns' }), 'mount-proc': true };
    const error = fromHelperError({ step: 'mount-proc', errno: EPERM }, { config, system: fakeSystem() });
    expect(error.hint).toBe('a new /proc needs a new PID namespace; add pid to --flags, or pass --no-proc');
  });

  it.each([
    [
      { uid: 4242 },
      'nsrun: cannot switch to uid 4242: invalid argument (hint: uid 4242 is not mapped in the new user namespace, whose uid map covers 0)',
    ],
    [
      { uid: 0, gid: 7, gidMap: ['0:0:1', '1:100000:5'] },
      'nsrun: cannot switch to uid 0 and gid 7: invalid argument (hint: gid 7 is not mapped in the new user namespace, whose gid map covers 0, 1-5)',
    ],
    [{ uid: 0 }, 'nsrun: cannot switch to uid 0: invalid argument'],
  ] satisfies [NsrunOptions, string][])('identity EINVAL with %j', (options, line) => {
    expect(report({ step: 'identity', syscall: 'setresuid', errno: EINVAL }, { flags: 'user', ...options }).line).toBe(line);
  });

  it.each([
    ['/proc/9/uid_map', 'cannot write /proc/9/uid_map: operation not permitted'],
    ['/proc/9/setgroups', 'cannot write /proc/9/setgroups: operation not permitted'],
    [undefined, 'cannot write uid_map and gid_map: operation not permitted'],
  ])('id-maps with detail %s', (detail, message) => {
    expect(report({ step: 'id-maps', errno: EPERM, detail }).error.message).toBe(message);
  });

  it('gives no hint where it knows none', () => {
    expect(report({ step: 'hostname', errno: EINVAL }, { flags: 'uts', hostname: 'box' }).line).toBe(
      "nsrun: cannot set the hostname to 'box': invalid argument",
    );
  });
});

describe('fromHelperError words a failed join', () => {
  const ESRCH = 3;
  const joined = (record: object, system: FakeSystem = {}): string =>
    formatMessage(fromHelperError({ step: 'join', 'exit-code': 125, ...record }, { config: { ...configFor({ flags: [] }, system), join: { pid: 42 } }, system: fakeSystem(system) }));

  it.each([
    [{ syscall: 'pidfd_open', errno: ESRCH, detail: '/proc/42' }, 'nsrun: cannot join the namespaces of process 42: no such process'],
    [{ syscall: 'open', errno: ESRCH, detail: '/proc/42/ns/mnt' }, 'nsrun: cannot join the mnt namespace of process 42: no such process'],
    [{ syscall: 'fchdir', errno: ENOENT, detail: '/proc/42/cwd' }, 'nsrun: cannot join the working directory of process 42: no such file or directory'],
    [{ syscall: 'chroot', errno: EPERM, detail: '/proc/42/root' }, expect.stringMatching(/^nsrun: cannot join the root of process 42: operation not permitted \(hint: joining another user's process needs root/)],
    [{ syscall: 'open', errno: EACCES, detail: '/proc/42/ns/user' }, expect.stringMatching(/^nsrun: cannot join the user namespace of process 42: permission denied \(hint: /)],
  ])('%j', (record, line) => {
    expect(joined(record, ALICE)).toEqual(line);
  });
});
