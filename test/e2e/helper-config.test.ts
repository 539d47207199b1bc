// The helper treats its config as untrusted: each hostile document is refused with exit 125,
// one line naming what was wrong, a config error on the status stream, and nothing run.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { helperBin, hostState } from './harness.js';

const base = { version: 1, command: ['touch', '/nsrun-must-not-exist'], namespaces: ['uts'] };
const json = (doc: object): string => JSON.stringify(doc);

const table: readonly (readonly [string, string | Buffer, string])[] = [
  ['an unknown member', json({ ...base, bogus: 1 }), 'unknown member "bogus"'],
  ['a member of the wrong type', json({ ...base, namespaces: 'uts' }), 'member "namespaces": expected an array, got a string'],
  ['an unknown version', json({ ...base, version: 2 }), 'member "version": 2 is out of range 1..1'],
  ['a 100 000-byte hostname', json({ ...base, hostname: 'h'.repeat(100_000) }), 'member "hostname": length 100000 is out of range 1..64'],
  ['a million env entries', json({ ...base, env: Array.from({ length: 1_000_000 }, (_, i) => `K${i}=v`) }), 'member "env": 1000000 entries, at most 65536 allowed'],
  ['a namespace twice', json({ ...base, namespaces: ['uts', 'uts'] }), 'member "namespaces": "uts" appears twice'],
  ['an unknown namespace', json({ ...base, namespaces: ['bogus'] }), 'member "namespaces": unknown namespace "bogus"'],
  ['overlapping id maps', json({ ...base, namespaces: ['user'], 'uid-map': [[0, 1000, 10], [5, 2000, 1]] }), 'member "uid-map": lines 0 and 1 overlap inside'],
  ['an id map past 2^32-1', json({ ...base, namespaces: ['user'], 'uid-map': [[0, 4294967295, 2]] }), 'member "uid-map": line 0 runs past id 4294967295'],
  ['a NUL in a path', json({ ...base, cwd: '/tmp\u0000/x' }), 'a string contains a NUL character'],
  ['a relative cwd', json({ ...base, cwd: '../etc' }), 'member "cwd": "../etc" is not an absolute path'],
  ['an empty command', json({ ...base, command: [] }), 'member "command": the command is empty'],
  ['arrays nested 100 000 deep', '['.repeat(100_000) + ']'.repeat(100_000), 'JSON nested deeper than 4 levels'],
  ['a member nested 5000 deep', `{"version":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'JSON nested deeper than 4 levels'],
  ['a truncated document', '{"version":1,"command":["true"', "invalid JSON: expected ',' or ']'"],
  ['an empty document', '', 'invalid JSON: unexpected end'],
  ['a member twice', '{"version":1,"version":1,"command":["true"]}', 'member "version" appears twice'],
  ['not JSON at all', 'hello', 'invalid JSON: bad number'],
  ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"version":1,"command":["'), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]), 'invalid JSON: a string is not valid UTF-8'],
  ['an encoded surrogate', Buffer.concat([Buffer.from('{"version":1,"command":["'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"]}')]), 'invalid JSON: a string is not valid UTF-8'],
  ['trailing characters', `${json(base)}x`, 'invalid JSON: trailing characters'],
  ['a rootfs without a mount namespace', json({ ...base, rootfs: '/srv' }), 'member "rootfs" needs the namespaces it acts on'],
  ['a relative rootfs', json({ ...base, namespaces: ['mnt'], rootfs: 'srv' }), 'member "rootfs": "srv" is not an absolute path'],
  ['read-only without a rootfs', json({ ...base, namespaces: ['mnt'], 'read-only': true }), 'member "read-only" needs "rootfs"'],
  ['a rootfs with shared propagation', json({ ...base, namespaces: ['mnt'], rootfs: '/srv', propagation: 'shared' }), 'members "rootfs" and "mounts" need propagation private or slave'],
  ['a mount destination with ..', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'tmpfs', destination: '/a/../etc' }] }), 'member "mounts.destination": "/a/../etc" has a ".." component'],
  ['a mount on / itself', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'tmpfs', destination: '/./' }] }), 'member "mounts.destination": "/./" names the root itself'],
  ['a bind without a source', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'bind', destination: '/x' }] }), 'member "mounts": a source belongs to a bind entry, and a bind entry needs one'],
  ['a read-only tmpfs', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'tmpfs', destination: '/x', 'read-only': true }] }), 'member "mounts": read-only belongs to a bind entry, size to a tmpfs entry'],
  ['an unknown mount type', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'overlay', destination: '/x' }] }), 'member "mounts.type": unknown value "overlay"'],
  ['an unknown mount member', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'dev', destination: '/dev', mode: 1 }] }), 'member "mounts": unknown member "mode"'],
  ['a tmpfs of size 0', json({ ...base, namespaces: ['mnt'], mounts: [{ type: 'tmpfs', destination: '/x', size: 0 }] }), 'member "mounts.size": 0 is out of range 1..1125899906842624'],
  ['257 mounts', json({ ...base, namespaces: ['mnt'], mounts: Array.from({ length: 257 }, () => ({ type: 'dev', destination: '/dev' })) }), 'member "mounts": 257 entries, at most 256 allowed'],
  ['SIGKILL among the ignored signals', json({ ...base, 'ignored-signals': [1, 9] }), 'member "ignored-signals": signal 9 cannot be ignored'],
  ['a veth without a net namespace', json({ ...base, veth: { bridge: 'nsr-x', link: 'nsv1', address: '10.89.0.2/24', gateway: '10.89.0.1' } }), 'member "veth" needs a new net namespace'],
  ['a veth address without a prefix', json({ ...base, namespaces: ['net'], veth: { bridge: 'nsr-x', link: 'nsv1', address: '10.89.0.2', gateway: '10.89.0.1' } }), 'member "veth.address": "10.89.0.2" is not A.B.C.D/N'],
  ['a veth address out of range', json({ ...base, namespaces: ['net'], veth: { bridge: 'nsr-x', link: 'nsv1', address: '10.89.0.256/24', gateway: '10.89.0.1' } }), 'member "veth.address": "10.89.0.256/24" is not an IPv4 address'],
  ['a link name of 16 bytes', json({ ...base, namespaces: ['net'], veth: { bridge: 'b'.repeat(16), link: 'nsv1', address: '10.89.0.2/24', gateway: '10.89.0.1' } }), 'member "veth.bridge": length 16 is out of range 1..15'],
  ['a link name with a slash', json({ ...base, namespaces: ['net'], veth: { bridge: 'a/b', link: 'nsv1', address: '10.89.0.2/24', gateway: '10.89.0.1' } }), 'member "veth.bridge": "a/b" is not a link name'],
  ['a veth without a gateway', json({ ...base, namespaces: ['net'], veth: { bridge: 'nsr-x', link: 'nsv1', address: '10.89.0.2/24' } }), 'member "veth": needs "bridge", "link", "address" and "gateway"'],
  ['a veth with a network backend', json({ ...base, namespaces: ['net', 'mnt'], veth: { bridge: 'nsr-x', link: 'nsv1', address: '10.89.0.2/24', gateway: '10.89.0.1' }, network: { backend: 'pasta', argv: ['/usr/bin/pasta'] } }), 'member "veth": not with "network" or "join-network"'],
  ['a bridge with a command', json({ ...base, bridge: { name: 'nsr-x', address: '10.89.0.1/24' } }), 'member "bridge" stands alone, or goes with "keep" and a new net namespace'],
  ['remove-bridge with a command', json({ ...base, 'remove-bridge': 'nsr-x' }), 'member "remove-bridge" stands alone'],
  ['an ignored signal past 64', json({ ...base, 'ignored-signals': [65] }), 'member "ignored-signals": 65 is out of range 1..64'],
];

describe('the helper refuses hostile configs', () => {
  it.each(table.map(([what, doc, detail]) => ({ what, doc, detail })))('$what', ({ doc, detail }) => {
    const before = hostState();
    const quiet = spawnSync(helperBin, ['--config-fd', '0'], { input: doc, encoding: 'utf8' });
    expect(quiet.status).toBe(125);
    expect(quiet.stderr).toBe(`nsrun-helper: config: ${detail}\n`);
    const reported = spawnSync(helperBin, ['--config-fd', '0', '--status-fd', '1'], { input: doc, encoding: 'utf8' });
    expect(reported.status).toBe(125);
    expect(JSON.parse(reported.stdout)).toEqual({ error: { step: 'config', syscall: '', errno: 0, detail, 'exit-code': 125 } });
    expect(hostState()).toEqual(before);
    expect(spawnSync('test', ['-e', '/nsrun-must-not-exist']).status).toBe(1);
  });
});

describe('the helper takes its config from an environment variable', () => {
  const run = (env: Record<string, string>, ...more: string[]) =>
    spawnSync(helperBin, [...more, '--config-env', 'CFG', '--status-fd', '1'], { env, input: '', encoding: 'utf8' });

  it('runs the command of a config in the variable, and says when it was executed', () => {
    const before = Number(process.hrtime.bigint() / 1000n);
    const r = run({ CFG: json({ version: 1, command: ['true'], namespaces: [] }) });
    const after = Number(process.hrtime.bigint() / 1000n);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ 'child-pid': expect.any(Number), 'executed-us': expect.any(Number) }), { 'exit-code': 0 }]);
    // on CLOCK_MONOTONIC, which process.hrtime reads too
    expect(lines[0]?.['executed-us']).toBeGreaterThan(before);
    expect(lines[0]?.['executed-us']).toBeLessThan(after);
  });

  it('refuses a hostile config there as from a file descriptor', () => {
    const r = run({ CFG: `${json(base)}x` });
    expect(r.status).toBe(125);
    expect(JSON.parse(r.stdout)).toEqual({ error: { step: 'config', syscall: '', errno: 0, detail: 'invalid JSON: trailing characters', 'exit-code': 125 } });
    expect(spawnSync('test', ['-e', '/nsrun-must-not-exist']).status).toBe(1);
  });

  it('names a variable that is not set, with exit 2', () => {
    const r = spawnSync(helperBin, ['--config-env', 'CFG'], { env: {}, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('nsrun-helper: arguments: the environment variable CFG is not set\n');
  });

  it('takes one source of config, not two', () => {
    const r = run({ CFG: json(base) }, '--config-fd', '0');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { step: 'arguments', detail: expect.stringMatching(/^usage: /), 'exit-code': 2 } });
  });
});
