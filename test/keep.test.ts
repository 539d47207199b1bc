import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HelperConfig } from '../src/config.js';
import { commandConfig, listSandboxes, stateRoot, validateName, type KeptSandbox } from '../src/keep.js';
import { ALICE, fakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

describe('validateName', () => {
  it.each(['a', 'box', 'Box-1.test_2', '9', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(validateName(name)).toBe(name);
  });

  it.each(['', '-a', '.hidden', '_a', 'a b', 'a/b', '..', 'x'.repeat(65), 'é'])('refuses %j with a usage error', (name) => {
    const error = thrown(() => validateName(name));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toMatch(/^invalid sandbox name .*: expected a letter or digit, then up to 63/);
  });
});

describe('stateRoot', () => {
  const runtime = mkdtempSync(join(tmpdir(), 'nsrun-runtime-'));
  afterAll(() => rmSync(runtime, { recursive: true }));

  it('is /run/nsrun as root', () => {
    expect(stateRoot(fakeSystem({ env: { XDG_RUNTIME_DIR: runtime } }))).toBe('/run/nsrun');
  });

  it("is $XDG_RUNTIME_DIR/nsrun when that is the caller's directory", () => {
    const mine = mkdtempSync(join(tmpdir(), 'nsrun-runtime-'));
    // as root, hand the directory to alice; otherwise the caller is its owner
    const owner = process.geteuid?.() === 0 ? 1000 : (process.geteuid?.() ?? 1000);
    if (owner === 1000) chownSync(mine, 1000, 1000);
    try {
      expect(stateRoot(fakeSystem({ euid: owner, egid: owner, env: { XDG_RUNTIME_DIR: mine } }))).toBe(join(mine, 'nsrun'));
    } finally {
      rmSync(mine, { recursive: true });
    }
  });

  it("falls back to /tmp/nsrun-UID without a runtime directory, or with one that is not the caller's", () => {
    expect(stateRoot(fakeSystem({ ...ALICE, env: {} }))).toBe('/tmp/nsrun-1000');
    expect(stateRoot(fakeSystem({ ...ALICE, env: { XDG_RUNTIME_DIR: runtime } }))).toBe('/tmp/nsrun-1000');
    expect(stateRoot(fakeSystem({ ...ALICE, env: { XDG_RUNTIME_DIR: 'relative' } }))).toBe('/tmp/nsrun-1000');
  });
});

describe('the state root', () => {
  it.runIf(process.geteuid?.() === 0)('as root (to hand directories to uid 1000): a root others may enter is refused, a closed one listed', () => {
    const runtime = mkdtempSync(join(tmpdir(), 'nsrun-runtime-'));
    try {
      chownSync(runtime, 1000, 1000);
      mkdirSync(join(runtime, 'nsrun'), { mode: 0o755 });
      chownSync(join(runtime, 'nsrun'), 1000, 1000);
      const alice = fakeSystem({ ...ALICE, env: { XDG_RUNTIME_DIR: runtime } });
      const error = thrown(() => listSandboxes(alice));
      expect(error).toMatchObject({ step: 'keep', exitCode: 125 });
      expect(error.message).toBe(`refusing ${runtime}/nsrun: not a directory of uid 1000 closed to others`);
      chmodSync(join(runtime, 'nsrun'), 0o700);
      expect(listSandboxes(alice)).toEqual([]);
    } finally {
      rmSync(runtime, { recursive: true });
    }
  });
});

describe('commandConfig', () => {
  const sandbox: KeptSandbox = {
    name: 'box',
    namespaces: { user: 11, uts: 12, pid: 13 },
    holder: 4242,
    holderStart: '1000',
    createdAt: '2026-01-01T00:00:00.000Z',
    dir: '/run/nsrun/box',
    paths: {},
  };
  const config: HelperConfig = {
    version: 1,
    command: ['sh', '-c', 'echo'],
    namespaces: ['uts', 'pid', 'user'],
    'uid-map': [[0, 1000, 1]],
    hostname: 'box',
    'mount-proc': true,
    init: true,
    env: ['A=1'],
    cwd: '/srv',
    uid: 5,
    'no-new-privs': true,
    'stop-timeout': 10,
  };

  it("runs the command by joining the holder in every kept namespace, with the command's own members only", () => {
    expect(commandConfig(config, sandbox, '/home/alice')).toEqual({
      version: 1,
      command: ['sh', '-c', 'echo'],
      namespaces: [],
      env: ['A=1'],
      cwd: '/srv',
      uid: 5,
      'no-new-privs': true,
      'stop-timeout': 10,
      join: { pid: 4242, namespaces: ['uts', 'pid', 'user'] },
    });
  });

  it("starts the command in the caller's directory without --cwd", () => {
    const { cwd: _given, ...withoutCwd } = config;
    expect(commandConfig(withoutCwd, sandbox, '/home/alice').cwd).toBe('/home/alice');
  });

  it('starts it in the root of a --rootfs without --cwd, where the holder is, and leaves the root and mounts to the holder', () => {
    const { cwd: _given, ...withoutCwd } = config;
    const inRootfs: HelperConfig = { ...withoutCwd, rootfs: '/srv/rootfs', 'read-only': true, mounts: [{ type: 'dev', destination: '/dev' }] };
    const joined = commandConfig(inRootfs, sandbox, '/home/alice');
    expect(joined.cwd).toBeUndefined();
    expect(joined).not.toHaveProperty('rootfs');
    expect(joined).not.toHaveProperty('mounts');
    expect(joined).not.toHaveProperty('read-only');
  });
});
