import { describe, expect, it } from 'vitest';
import { parseBind, parseTmpfs, validateMounts, validateRootfs, type MountSpec } from '../src/mounts.js';
import { normalizeOptions, type NsrunOptions } from '../src/options.js';
import { ALICE, fakeSystem, type FakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

function usageMessage(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
  return error.message;
}

function normalize(options: NsrunOptions, system: FakeSystem = {}) {
  return normalizeOptions(['sh'], options, fakeSystem(system));
}

describe('validateMounts', () => {
  it('keeps the order, resolves relative sources against the base and normalises destinations', () => {
    const mounts: MountSpec[] = [
      { type: 'tmpfs', destination: '/tmp//x/', size: '2m' },
      { type: 'bind', source: 'data', destination: '/mnt/./data' },
      { type: 'bind', source: '/etc', destination: '/etc', readOnly: true },
      { type: 'dev' },
    ];
    expect(validateMounts(mounts, '/srv/project')).toEqual([
      { type: 'tmpfs', destination: '/tmp/x', size: 2 * 1024 * 1024 },
      { type: 'bind', source: '/srv/project/data', destination: '/mnt/data' },
      { type: 'bind', source: '/etc', destination: '/etc', 'read-only': true },
      { type: 'dev', destination: '/dev' },
    ]);
  });

  it('gives nothing for no mounts', () => {
    expect(validateMounts(undefined, '/')).toBeUndefined();
    expect(validateMounts([], '/')).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['4096', 4096],
    ['64k', 65536],
    ['3G', 3 * 1024 ** 3],
    [12345, 12345],
  ])('reads the tmpfs size %j as %d bytes', (size, bytes) => {
    expect(validateMounts([{ type: 'tmpfs', destination: '/t', size }], '/')).toEqual([{ type: 'tmpfs', destination: '/t', size: bytes }]);
  });

  const SIZE = 'expected size=N with N from 1 to 1125899906842624 bytes, optionally with a k, m or g suffix';
  it.each([
    [{ type: 'tmpfs', destination: 'tmp' }, "invalid --tmpfs 'tmp': the destination must be an absolute path inside the sandbox"],
    [{ type: 'tmpfs', destination: '/a/../b' }, "invalid --tmpfs '/a/../b': the destination must not contain '..'"],
    [{ type: 'tmpfs', destination: '//.' }, "invalid --tmpfs '//.': the destination cannot be / itself (use --rootfs)"],
    [{ type: 'tmpfs', destination: '/t', size: 0 }, `invalid --tmpfs '/t:size=0': ${SIZE}`],
    [{ type: 'tmpfs', destination: '/t', size: '2t' }, `invalid --tmpfs '/t:size=2t': ${SIZE}`],
    [{ type: 'tmpfs', destination: '/t', size: 2 ** 51 }, `invalid --tmpfs '/t:size=${2 ** 51}': ${SIZE}`],
    [{ type: 'bind', source: '', destination: '/x' }, "invalid --bind ':/x': expected a path without NUL"],
    [{ type: 'bind', source: 'a\0b', destination: '/x' }, "invalid --bind 'a\\x00b:/x': expected a path without NUL"],
    [{ type: 'bind', source: '/a', destination: 'x', readOnly: true }, "invalid --ro-bind '/a:x': the destination must be an absolute path inside the sandbox"],
    [{ type: 'bind', source: `/${'a'.repeat(4095)}`, destination: '/x' }, `invalid --bind '/${'a'.repeat(4095)}:/x': expected a path of at most 4095 bytes`],
    [{ type: 'dev', destination: '/dev/..' }, "invalid --dev '/dev/..': the destination must not contain '..'"],
  ] as const)('refuses %j', (mount, message) => {
    expect(usageMessage(() => validateMounts([mount as MountSpec], '/'))).toBe(message);
  });

  it('refuses an unknown type and more than 256 mounts', () => {
    expect(usageMessage(() => validateMounts([{ type: 'overlay' } as unknown as MountSpec], '/'))).toBe(
      `invalid mounts {"type":"overlay"}: expected a mount of type 'bind', 'tmpfs' or 'dev'`,
    );
    const many: MountSpec[] = Array.from({ length: 257 }, () => ({ type: 'tmpfs', destination: '/t' }));
    expect(usageMessage(() => validateMounts(many, '/'))).toBe('257 mounts given, at most 256 allowed');
  });
});

describe('validateRootfs', () => {
  it('resolves a relative directory against the base', () => {
    expect(validateRootfs('./rootfs', '/home/alice')).toBe('/home/alice/rootfs');
    expect(validateRootfs(undefined, '/')).toBeUndefined();
  });

  it.each([
    ['', "invalid --rootfs '': expected a path without NUL"],
    ['/', "invalid --rootfs '/': expected a directory other than /"],
    ['/a/..', "invalid --rootfs '/a/..': expected a directory other than /"],
  ])('refuses %j', (value, message) => {
    expect(usageMessage(() => validateRootfs(value, '/'))).toBe(message);
  });
});

describe('parseBind and parseTmpfs', () => {
  it('read the command line forms', () => {
    expect(parseBind('--bind', 'a:/b')).toEqual({ type: 'bind', source: 'a', destination: '/b', readOnly: false });
    expect(parseBind('--ro-bind', '/a:/b')).toEqual({ type: 'bind', source: '/a', destination: '/b', readOnly: true });
    expect(parseTmpfs('/tmp')).toEqual({ type: 'tmpfs', destination: '/tmp' });
    expect(parseTmpfs('/tmp:size=8m')).toEqual({ type: 'tmpfs', destination: '/tmp', size: '8m' });
  });

  it.each([
    [() => parseBind('--bind', '/only'), "invalid --bind '/only': expected SRC:DST, two paths without ':'"],
    [() => parseBind('--ro-bind', '/a:/b:/c'), "invalid --ro-bind '/a:/b:/c': expected SRC:DST, two paths without ':'"],
    [() => parseBind('--bind', ':/b'), "invalid --bind ':/b': expected SRC:DST, two paths without ':'"],
    [() => parseTmpfs('/tmp:mode=1777'), "invalid --tmpfs '/tmp:mode=1777': expected DST or DST:size=N"],
  ])('refuses a bad form (%#)', (fn, message) => {
    expect(usageMessage(fn)).toBe(message);
  });
});

describe('normalizeOptions with a rootfs and mounts', () => {
  it('adds the mount namespace, resolves the rootfs and puts the members last', () => {
    const config = normalize({ flags: 'uts', rootfs: 'rootfs', readOnly: true, mounts: [{ type: 'dev' }] });
    expect(config.namespaces).toEqual(['uts', 'mnt']);
    expect(config).toMatchObject({ propagation: 'private', rootfs: '/srv/project/rootfs', 'read-only': true, mounts: [{ type: 'dev', destination: '/dev' }] });
    expect(Object.keys(config).slice(-3)).toEqual(['rootfs', 'read-only', 'mounts']);
  });

  it('adds the mount namespace for mounts alone, and the user namespace without root', () => {
    expect(normalize({ flags: 'uts', mounts: [{ type: 'tmpfs', destination: '/tmp' }] }, ALICE).namespaces).toEqual(['uts', 'mnt', 'user']);
  });

  it('takes a relative --cwd from the new root', () => {
    expect(normalize({ rootfs: '/srv/root', cwd: 'etc' }).cwd).toBe('/etc');
    expect(normalize({ cwd: 'etc' }).cwd).toBe('/srv/project/etc');
  });

  it.each([
    [{ readOnly: true }, '--read-only needs --rootfs DIR'],
    [{ rootfs: '/r', propagation: 'shared' }, '--propagation shared cannot be used with --rootfs or mounts, which need private or slave'],
    [{ mounts: [{ type: 'dev' }], propagation: 'unchanged' }, '--propagation unchanged cannot be used with --rootfs or mounts, which need private or slave'],
  ] as const)('refuses %j', (options, message) => {
    expect(usageMessage(() => normalize(options as NsrunOptions))).toBe(message);
  });

  it('accepts slave propagation with a rootfs', () => {
    expect(normalize({ rootfs: '/r', propagation: 'slave' }).propagation).toBe('slave');
  });
});
