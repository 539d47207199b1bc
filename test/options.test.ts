import { describe, expect, it } from 'vitest';
import { normalizeOptions, type NsrunOptions } from '../src/options.js';
import { ALICE, fakeSystem, type FakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

const DEFAULT_NAMESPACES = ['uts', 'ipc', 'pid', 'mnt', 'net', 'cgroup'];

function normalize(options: NsrunOptions = {}, system: FakeSystem = {}, command: readonly string[] = ['true']) {
  return normalizeOptions(command, options, fakeSystem(system));
}

function usageMessage(options: NsrunOptions, system: FakeSystem = {}, command: readonly string[] = ['true']): string {
  const error = thrown(() => normalize(options, system, command));
  expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
  return error.message;
}

const SUBORDINATE = {
  '/etc/subuid': '# ranges\nbob:300000:65536\nalice:100000:65536\n',
  '/etc/subgid': '1000:200000:1000\n',
};

describe('normalizeOptions as root', () => {
  it('creates the default namespaces and mounts /proc and /sys, without a user namespace', () => {
    expect(normalize()).toEqual({
      version: 1,
      command: ['true'],
      namespaces: DEFAULT_NAMESPACES,
      propagation: 'private',
      'mount-proc': true,
      'mount-sys': true,
      env: ['PATH=/usr/local/bin:/usr/bin', 'HOME=/root'],
      'stop-timeout': 10,
      'no-new-privs': true,
    });
  });

  it('serialises to the contract document, members in a stable order', () => {
    expect(JSON.stringify(normalize({ flags: 'uts', hostname: 'box' }, {}, ['hostname']))).toBe(
      '{"version":1,"command":["hostname"],"namespaces":["uts"],"hostname":"box",' +
        '"env":["PATH=/usr/local/bin:/usr/bin","HOME=/root"],"stop-timeout":10,"no-new-privs":true}',
    );
  });

  it('writes the maps itself, setgroups allowed, with a user namespace', () => {
    expect(normalize({ flags: 'user,uts' })).toMatchObject({
      namespaces: ['uts', 'user'],
      'uid-map': [[0, 0, 1]],
      'gid-map': [[0, 0, 1]],
      setgroups: 'allow',
    });
  });

  it('maps its subordinate range with --map auto, without newuidmap', () => {
    const files = { '/etc/passwd': 'root:x:0:0::/root:/bin/sh\n', '/etc/subuid': 'root:100000:65536\n', '/etc/subgid': '0:100000:65536\n' };
    const config = normalize({ flags: 'user', map: 'auto' }, { files });
    expect(config['uid-map']).toEqual([[0, 0, 1], [1, 100000, 65536]]);
    expect(config['gid-map']).toEqual([[0, 0, 1], [1, 100000, 65536]]);
    expect(config.newuidmap).toBeUndefined();
    expect(config.setgroups).toBe('allow');
  });

  it('accepts --uid and --gid without a user namespace', () => {
    expect(normalize({ uid: '1000', gid: 100 })).toMatchObject({ uid: 1000, gid: 100 });
  });

  it('leaves an unmapped --uid to the helper, which reports it as a setup error', () => {
    expect(normalize({ flags: 'user', uid: 4242 })).toMatchObject({ uid: 4242, 'uid-map': [[0, 0, 1]] });
  });
});

describe('flags as an array', () => {
  it.each([
    [['uts', 'ns'], ['uts', 'mnt']],
    [['mount', 'pid'], ['pid', 'mnt']],
    [['mnt'], ['mnt']],
    [['all'], ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time']],
    // no namespace of its own: the command joins others (nsrun exec)
    [[], []],
  ] as const)('reads the words of --flags %j as the contract names %j', (flags, namespaces) => {
    expect(normalize({ flags }).namespaces).toEqual(namespaces);
  });

  it.each([
    [['uts,pid'], "invalid --flags 'uts,pid': expected one namespace name per entry of the array"],
    [['ns', 'mount'], "--flags 'ns,mount' names the mount namespace more than once (ns, mount)"],
    [['all', 'uts'], "--flags 'all,uts': all stands alone"],
  ] as const)('refuses %j', (flags, message) => {
    expect(usageMessage({ flags: flags as never })).toBe(message);
  });
});

describe('normalizeOptions without root', () => {
  it.each([
    ['the default namespaces', undefined, [...DEFAULT_NAMESPACES.slice(0, 5), 'user', 'cgroup']],
    ['uts', 'uts', ['uts', 'user']],
    ['user alone', 'user', ['user']],
  ])('adds user to %s', (_, flags, namespaces) => {
    expect(normalize({ flags }, ALICE).namespaces).toEqual(namespaces);
  });

  it.each([
    ['root', [[0, 1000, 1]]],
    ['current', [[1000, 1000, 1]]],
  ] as const)('--map %s maps its own ids with setgroups denied', (map, lines) => {
    expect(normalize({ map }, ALICE)).toMatchObject({ 'uid-map': lines, 'gid-map': lines, setgroups: 'deny' });
  });

  it('uses an explicit --uid-map and the --map default for gids', () => {
    const config = normalize({ uidMap: ['0:1000:1'] }, { ...ALICE, egid: 50 });
    expect(config['uid-map']).toEqual([[0, 1000, 1]]);
    expect(config['gid-map']).toEqual([[0, 50, 1]]);
  });

  it('--map auto maps its subordinate ranges (by name or uid) through newuidmap/newgidmap found on PATH', () => {
    const config = normalize(
      { map: 'auto' },
      { ...ALICE, files: { ...ALICE.files, ...SUBORDINATE }, executables: ['/usr/bin/newuidmap', '/usr/local/bin/newgidmap'] },
    );
    expect(config).toMatchObject({
      'uid-map': [[0, 1000, 1], [1, 100000, 65536]],
      'gid-map': [[0, 1000, 1], [1, 200000, 1000]],
      newuidmap: '/usr/bin/newuidmap',
      newgidmap: '/usr/local/bin/newgidmap',
    });
    expect(config.setgroups).toBeUndefined();
  });

  it('--map auto looks only on PATH for newuidmap, skipping relative entries', () => {
    expect(() =>
      normalize(
        { map: 'auto' },
        { ...ALICE, env: { PATH: 'relative:/opt/bin' }, files: { ...ALICE.files, ...SUBORDINATE }, executables: ['relative/newuidmap', '/usr/bin/newuidmap'] },
      ),
    ).toThrow('newuidmap not found on PATH');
  });

  it.each([
    [
      'no newuidmap (checked before the ranges)',
      { files: ALICE.files, executables: [] },
      'newuidmap not found on PATH',
      'install the uidmap package',
    ],
    [
      'no range in /etc/subuid',
      { files: { ...ALICE.files, '/etc/subuid': 'bob:100000:65536\n' }, executables: ['/usr/bin/newuidmap', '/usr/bin/newgidmap'] },
      'no subordinate uid range for user alice in /etc/subuid',
      'add one with usermod --add-subuids 100000-165535 alice',
    ],
    [
      'no /etc/subgid',
      { files: { ...ALICE.files, '/etc/subuid': SUBORDINATE['/etc/subuid'] }, executables: ['/usr/bin/newuidmap', '/usr/bin/newgidmap'] },
      'no subordinate gid range for user alice in /etc/subgid',
      'add one with usermod --add-subgids 100000-165535 alice',
    ],
    [
      'a uid without a name and no range',
      { euid: 1234, files: {}, executables: ['/usr/bin/newuidmap', '/usr/bin/newgidmap'] },
      'no subordinate uid range for uid 1234 in /etc/subuid',
      'add one with usermod --add-subuids 100000-165535 <user>',
    ],
  ])('--map auto with %s is a setup error', (_, system, message, hint) => {
    const error = thrown(() => normalize({ map: 'auto' }, { ...ALICE, ...system }));
    expect(error).toMatchObject({ step: 'id-maps', exitCode: 125, message, hint });
  });
});

describe('normalizeOptions derives members from the namespaces', () => {
  it.each([
    ['uts,pid,ns', { proc: true }, { 'mount-proc': true, 'mount-sys': undefined, propagation: 'private' }],
    ['uts,pid,ns', { proc: false }, { 'mount-proc': undefined }],
    ['pid', {}, { 'mount-proc': undefined, propagation: undefined }],
    ['net,ns', {}, { 'mount-sys': true, 'mount-proc': undefined }],
    ['net', {}, { 'mount-sys': undefined }],
    ['ns', { propagation: 'slave' }, { propagation: 'slave' }],
  ] as const)('--flags %s with %j', (flags, options, members) => {
    expect(normalize({ flags, ...options })).toMatchObject(members);
  });

  it('adds time for --time-offset', () => {
    expect(normalize({ flags: 'uts', timeOffset: 'monotonic=10,boottime=-20' })).toMatchObject({
      namespaces: ['uts', 'time'],
      'time-offsets': { monotonic: 10, boottime: -20 },
    });
  });

  it('takes time offsets as an object', () => {
    expect(normalize({ flags: 'time', timeOffset: { boottime: 5 } })['time-offsets']).toEqual({ boottime: 5 });
  });

  it.each([
    [{ flags: 'pid', hostname: 'box' }, '--hostname needs a new UTS namespace; add uts to --flags'],
    [{ flags: 'pid', domainname: 'box' }, '--domainname needs a new UTS namespace; add uts to --flags'],
    [{ flags: 'uts', init: true }, '--init needs a new PID namespace; add pid to --flags'],
    [{ flags: 'uts', propagation: 'slave' }, '--propagation needs a new mount namespace; add ns to --flags'],
    [{ flags: 'uts', propagation: 'bogus' as never }, "invalid --propagation 'bogus': expected one of private, slave, shared, unchanged"],
    [{ flags: 'uts', uidMap: ['0:0:1'] }, '--uid-map needs a new user namespace; add user to --flags'],
    [{ flags: 'uts', uidMap: ['0:x:1'] }, "invalid --uid-map '0:x:1': expected INSIDE:OUTSIDE:COUNT, non-negative integers with COUNT at least 1"],
    [{ flags: 'uts', gidMap: ['0:0:1'] }, '--gid-map needs a new user namespace; add user to --flags'],
    [{ flags: 'uts', map: 'current' }, '--map needs a new user namespace; add user to --flags'],
  ] satisfies [NsrunOptions, string][])('%j is a usage error: %s', (options, message) => {
    expect(usageMessage(options)).toBe(message);
  });
});

describe('normalizeOptions resolves the environment and the working directory', () => {
  it.each([
    [{}, ['PATH=/usr/local/bin:/usr/bin', 'HOME=/root']],
    [{ clearEnv: true }, []],
    [{ clearEnv: true, env: ['A=1', 'B=x=y', 'A=2'] }, ['A=2', 'B=x=y']],
    [{ env: ['HOME=/home', 'EMPTY='] }, ['PATH=/usr/local/bin:/usr/bin', 'HOME=/home', 'EMPTY=']],
    [{ clearEnv: true, env: { LANG: 'C' } }, ['LANG=C']],
  ] satisfies [NsrunOptions, string[]][])('%j gives %j', (options, env) => {
    expect(normalize(options).env).toEqual(env);
  });

  it('skips unset variables of the caller', () => {
    expect(normalize({}, { env: { A: '1', B: undefined } }).env).toEqual(['A=1']);
  });

  it.each([
    ['/srv', '/srv'],
    ['.', '/srv/project'],
    ['sub/dir', '/srv/project/sub/dir'],
    ['../../tmp/', '/tmp'],
  ])('--cwd %s becomes %s', (cwd, resolved) => {
    expect(normalize({ cwd }).cwd).toBe(resolved);
  });
});

describe('normalizeOptions rejects bad values with a message naming option, value and what it accepts', () => {
  const LINE = 'expected INSIDE:OUTSIDE:COUNT, non-negative integers with COUNT at least 1';
  it.each([
    [{ flags: 'uts,bogus' }, "unknown namespace 'bogus' in --flags; valid names: uts, ipc, pid, ns, mnt, mount, net, user, cgroup, time, all"],
    [{ map: 'everything' as never }, "invalid --map 'everything': expected one of root, current, auto, isolated"],
    [{ flags: 'user', uidMap: ['0:1000'] }, `invalid --uid-map '0:1000': ${LINE}`],
    [{ flags: 'user', uidMap: ['0:1000:0'] }, `invalid --uid-map '0:1000:0': ${LINE}`],
    [{ flags: 'user', uidMap: ['-1:1000:1'] }, `invalid --uid-map '-1:1000:1': ${LINE}`],
    [{ flags: 'user', gidMap: ['a:b:c'] }, `invalid --gid-map 'a:b:c': ${LINE}`],
    [{ flags: 'user', gidMap: [[0, 1.5, 1]] }, `invalid --gid-map [0,1.5,1]: ${LINE}`],
    [{ flags: 'user', uidMap: ['4294967290:0:10'] }, "invalid --uid-map '4294967290:0:10': the range runs past id 4294967294"],
    [{ flags: 'user', uidMap: ['0:4294967295:1'] }, "invalid --uid-map '0:4294967295:1': the range runs past id 4294967294"],
    [{ flags: 'user', uidMap: ['0:1000:10', '5:2000:1'] }, 'invalid --uid-map: lines 0:1000:10 and 5:2000:1 overlap inside'],
    [{ flags: 'user', uidMap: ['0:1000:10', '10:1009:1'] }, 'invalid --uid-map: lines 0:1000:10 and 10:1009:1 overlap outside'],
    [{ flags: 'user', uidMap: [] }, 'invalid --uid-map: 0 lines given, 1 to 340 allowed'],
    [{ uid: 'abc' }, "invalid --uid 'abc': expected an integer from 0 to 4294967294"],
    [{ gid: -1 }, 'invalid --gid -1: expected an integer from 0 to 4294967294'],
    [{ uid: 4294967295 }, 'invalid --uid 4294967295: expected an integer from 0 to 4294967294'],
    [{ propagation: 'rprivate' as never }, "invalid --propagation 'rprivate': expected one of private, slave, shared, unchanged"],
    [{ hostname: '' }, "invalid --hostname '': expected 1 to 64 bytes without NUL"],
    [{ hostname: 'é'.repeat(33) }, `invalid --hostname '${'é'.repeat(33)}': expected 1 to 64 bytes without NUL`],
    [{ domainname: 'a\0b' }, "invalid --domainname 'a\\x00b': expected 1 to 64 bytes without NUL"],
    [{ cwd: '' }, "invalid --cwd '': expected a path of at most 4095 bytes without NUL"],
    [
      { timeOffset: 'realtime=5' },
      "invalid --time-offset 'realtime=5': expected monotonic=SECONDS,boottime=SECONDS (either or both), integers from -4611686018 to 4611686018",
    ],
    [
      { timeOffset: 'monotonic=1.5' },
      "invalid --time-offset 'monotonic=1.5': expected monotonic=SECONDS,boottime=SECONDS (either or both), integers from -4611686018 to 4611686018",
    ],
    [
      { timeOffset: 'boottime=4611686019' },
      "invalid --time-offset 'boottime=4611686019': expected monotonic=SECONDS,boottime=SECONDS (either or both), integers from -4611686018 to 4611686018",
    ],
    [{ timeOffset: {} }, 'invalid --time-offset {}: expected an offset for monotonic, boottime or both'],
    [{ env: ['NOEQUALS'] }, "invalid --env 'NOEQUALS': expected KEY=VALUE"],
    [{ env: ['=value'] }, "invalid --env '=value': expected KEY=VALUE with a non-empty KEY, no NUL, at most 131072 bytes"],
    [{ env: { 'A=B': 'c' } }, 'invalid --env {"A=B":"c"}: expected KEY=VALUE with a non-empty KEY, no NUL, at most 131072 bytes'],
    [{ preserveFds: '2x' }, "invalid --preserve-fds '2x': expected an integer from 0 to 1024"],
    [{ preserveFds: 1025 }, 'invalid --preserve-fds 1025: expected an integer from 0 to 1024'],
  ] satisfies [NsrunOptions, string][])('%j', (options, message) => {
    expect(usageMessage(options)).toBe(message);
  });

  it.each([
    ['no word', [], 'no command given (see nsrun --help)'],
    ['an empty name', [''], 'no command given (see nsrun --help)'],
    ['a NUL', ['sh', 'a\0b'], "invalid command argument 1 'a\\x00b': expected a string of at most 131072 bytes without NUL"],
    ['a name over 4095 bytes', ['x'.repeat(4096)], `invalid command name '${'x'.repeat(4096)}': expected at most 4095 bytes`],
  ])('a command with %s', (_, command, message) => {
    expect(usageMessage({}, {}, command)).toBe(message);
  });

  it('rejects a map of 341 lines', () => {
    const uidMap = Array.from({ length: 341 }, (_, i) => `${i}:${i}:1`);
    expect(usageMessage({ flags: 'user', uidMap })).toBe('invalid --uid-map: 341 lines given, 1 to 340 allowed');
  });

  it('accepts a map line running up to id 4294967294 and a preserved fd count', () => {
    expect(normalize({ flags: 'user', uidMap: ['4294967290:0:5'], preserveFds: '2' })).toMatchObject({
      'uid-map': [[4294967290, 0, 5]],
      'preserve-fds': 2,
    });
  });
});
