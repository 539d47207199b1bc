// The helper's join, keep and query members: each misuse refused as a config error, and a
// query answered with the ioctl_ns facts of each file.
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helperBin } from './harness.js';

const json = (doc: object): string => JSON.stringify(doc);
const inode = (path: string): number => Number(/\[(\d+)\]/.exec(readlinkSync(path))?.[1]);

const table: readonly (readonly [string, object, string])[] = [
  ['join without a pid', { version: 1, command: ['true'], join: {} }, 'member "join": "pid" is missing'],
  ['join with an unknown member', { version: 1, command: ['true'], join: { pid: 1, bogus: 1 } }, 'member "join": unknown member "bogus"'],
  ['join with pid 0', { version: 1, command: ['true'], join: { pid: 0 } }, 'member "join.pid": 0 is out of range 1..2147483647'],
  ['join of an unknown namespace', { version: 1, command: ['true'], join: { pid: 1, namespaces: ['bogus'] } }, 'member "join.namespaces": unknown namespace "bogus"'],
  ['join that also creates namespaces', { version: 1, command: ['true'], namespaces: ['uts'], join: { pid: 1 } }, 'member "join" creates no namespaces: not with "namespaces", "keep" or "init"'],
  ['keep with a command', { version: 1, command: ['true'], namespaces: ['uts'], keep: true }, 'member "keep" runs no command: not with "command" or "init"'],
  ['no command without keep', { version: 1, namespaces: ['uts'] }, 'member "command" is missing'],
  ['query with a command', { version: 1, command: ['true'], query: ['/proc/self/ns/net'] }, 'member "query" stands alone'],
  ['query of a relative path', { version: 1, query: ['proc/self/ns/net'] }, 'member "query": "proc/self/ns/net" is not an absolute path'],
];

describe('the helper refuses misused join, keep and query members', () => {
  it.each(table.map(([what, doc, detail]) => ({ what, doc, detail })))('$what', ({ doc, detail }) => {
    const r = spawnSync(helperBin, ['--config-fd', '0'], { input: json(doc), encoding: 'utf8' });
    expect(r.status).toBe(125);
    expect(r.stderr).toBe(`nsrun-helper: config: ${detail}\n`);
  });
});

describe('the helper answers a query', () => {
  it('gives type, inode, parent and owner of each namespace file, and the errno of one it cannot open', () => {
    const paths = ['/proc/self/ns/user', '/proc/self/ns/uts', '/proc/self/ns/pid', '/nonexistent'];
    const r = spawnSync(helperBin, ['--config-fd', '0', '--status-fd', '1'], { input: json({ version: 1, query: paths }), encoding: 'utf8' });
    expect(r.status).toBe(0);
    // each path's line, then one without "path" for each namespace above it
    const lines = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const [user, uts, pid, missing] = lines.filter((line) => 'path' in line);
    // /proc/self of the helper is in this process's namespaces
    expect(user).toMatchObject({ type: 'user', ns: inode('/proc/self/ns/user'), 'owner-uid': expect.any(Number) });
    expect(uts).toMatchObject({ type: 'uts', ns: inode('/proc/self/ns/uts'), parent: null, owner: inode('/proc/self/ns/user'), 'owner-uid': null });
    expect(pid).toMatchObject({ type: 'pid', ns: inode('/proc/self/ns/pid') });
    expect(missing).toEqual({ path: '/nonexistent', errno: 2 });
  });
});
