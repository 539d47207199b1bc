// Command-line habits: nsrun help, a program's options given to the nsrun command of the same name,
// FORCE_COLOR and NO_COLOR, and a missing helper's hint for each way nsrun can be installed.
import { execa } from 'execa';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { identities, nsrun, root, type Identity } from './harness.js';

let dir = '';
/** Directories for PATH: one with node and setpriv only, one that also has a program named ps, rm and ls. */
let bare = '';
let withPrograms = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nsrun-habits-'));
  chmodSync(dir, 0o755);
  bare = join(dir, 'bare');
  withPrograms = join(dir, 'programs');
  for (const bin of [bare, withPrograms]) {
    mkdirSync(bin, { mode: 0o755 });
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/usr/bin/setpriv', join(bin, 'setpriv'));
  }
  for (const program of ['ps', 'rm', 'ls']) writeFileSync(join(withPrograms, program), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Runs `nsrun` at `bin` (bin/nsrun by default) as `who` with only the environment `env`. */
function run(who: Identity, args: readonly string[], env: Record<string, string>, bin = `${root}bin/nsrun`) {
  const [file, ...rest] = [...who.prefix, bin, ...args];
  return execa(file as string, rest, { env, extendEnv: false, reject: false, cwd: '/', stdin: 'ignore' });
}

describe.each(identities)('command-line habits, as $name', (who) => {
  it('nsrun help shows the help of nsrun --help on stdout, exit 0', async () => {
    const [help, dashes] = await Promise.all([nsrun(['help'], who), nsrun(['--help'], who)]);
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toBe(dashes.stdout);
    expect(help.stdout).toMatch(/^  nsrun help +show the help/m);
  });

  it.each([['run', ['--help']] as const, ...COMMANDS.map((c) => [c.name, [c.name, '--help']] as const)])('nsrun help %s shows what %j shows', async (name, dashed) => {
    const [help, dashes] = await Promise.all([nsrun(['help', name], who), nsrun(dashed, who)]);
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toBe(dashes.stdout);
  });

  it.each([
    [['help', 'bogus'], "nsrun: no command named 'bogus' (hint: nsrun --help lists them; nsrun -- bogus runs a program named bogus)"],
    [['help', 'ps', 'rm'], 'nsrun: help takes one command, got ps rm'],
  ])('nsrun %j is a usage error', async (args, message) => {
    expect(await nsrun(args, who)).toMatchObject({ exitCode: 2, stdout: '', stderr: message });
  });

  it('nsrun -- help still runs a program named help', async () => {
    const r = await run(who, ['--flags', 'uts', '--', 'help'], { PATH: bare });
    expect(r).toMatchObject({ exitCode: 127, stderr: expect.stringMatching(/^nsrun: .*help.*not found/) });
  });

  it.each([
    [['ps', '-ef'], 'nsrun -- ps -ef'],
    [['rm', '-rf', 'a b'], "nsrun -- rm -rf 'a b'"],
    [['ls', '-la', '--color'], 'nsrun -- ls -la --color'],
  ])('nsrun %j, its name a program on PATH, says how to run the program', async (args, line) => {
    const r = await run(who, args, { PATH: withPrograms });
    expect(r).toMatchObject({ exitCode: 2, stdout: '' });
    expect(r.stderr).toBe(`nsrun: unknown option ${args[1]} of nsrun ${args[0]} (hint: to run the program ${args[0]}, type ${line})`);
  });

  it('nsrun ps -ef, without a program ps on PATH, names the unknown option only', async () => {
    const r = await run(who, ['ps', '-ef'], { PATH: bare });
    expect(r).toMatchObject({ exitCode: 2, stdout: '', stderr: 'nsrun: unknown option -ef (see nsrun ps --help)' });
  });

  it.each([
    [{}, false],
    [{ FORCE_COLOR: '1' }, true],
    [{ FORCE_COLOR: '' }, true],
    [{ FORCE_COLOR: '3' }, true],
    [{ FORCE_COLOR: 'true' }, true],
    [{ FORCE_COLOR: '0' }, false],
    [{ FORCE_COLOR: 'false' }, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true],
    [{ NO_COLOR: '1' }, false],
  ])('nsrun doctor, its output not a terminal, with %j colours: %s', async (env, colours) => {
    const r = await run(who, ['doctor'], { PATH: bare, ...env });
    expect(r.stdout).toMatch(/^(\x1b\[32m)?ok/m);
    expect(r.stdout.includes('\x1b[')).toBe(colours);
  });
});

describe.each(identities)('a missing helper, as $name', (who) => {
  /** A copy of the package without its helper at `at`: the command, the compiled JavaScript, and the helper's sources when `sources`. */
  function copyPackage(at: string, sources: boolean): string {
    mkdirSync(at, { recursive: true, mode: 0o755 });
    for (const part of ['bin', 'dist', 'package.json', ...(sources ? ['helper'] : [])]) cpSync(join(root, part), join(at, part), { recursive: true });
    return join(at, 'bin/nsrun');
  }

  let layouts: Record<'project' | 'global' | 'unpacked' | 'installed', string> = { project: '', global: '', unpacked: '', installed: '' };
  beforeAll(() => {
    const base = join(dir, `layouts-${who.uid}`);
    mkdirSync(join(base, 'project'), { recursive: true, mode: 0o755 });
    writeFileSync(join(base, 'project/package.json'), '{ "name": "uses-nsrun", "private": true }\n');
    layouts = {
      project: copyPackage(join(base, 'project/node_modules/nsrun'), true),
      global: copyPackage(join(base, 'usr/lib/node_modules/nsrun'), true),
      unpacked: copyPackage(join(base, 'unpacked/nsrun'), true),
      installed: copyPackage(join(base, 'installed/lib/nsrun'), false),
    };
    for (const path of [base, ...Object.values(layouts).map((bin) => dirname(dirname(bin)))]) chmodSync(path, 0o755);
  });

  it.each([
    ['an npm project', 'project', (pkg: string) => `run \`npm rebuild nsrun\` in ${dirname(dirname(pkg))}; building the helper needs gcc and make`],
    ['a global npm install', 'global', () => 'run `npm rebuild -g nsrun`; building the helper needs gcc and make'],
    ['a package unpacked by hand', 'unpacked', (pkg: string) => `run \`make -C ${pkg}/helper OUT=../libexec\`; building the helper needs gcc and make`],
    ['a make install, which keeps no sources', 'installed', () => 'reinstall nsrun'],
  ] as const)('in %s, the hint says how to get it, in one pair of parentheses', async (_, layout, hint) => {
    const bin = layouts[layout];
    const pkg = dirname(dirname(bin));
    const r = await run(who, ['--flags', 'uts', '--', 'true'], { PATH: bare }, bin);
    expect(r).toMatchObject({ exitCode: 125, stdout: '' });
    expect(r.stderr).toBe(`nsrun: helper ${pkg}/libexec/nsrun-helper is missing (hint: ${hint(pkg)})`);
    const doctor = await run(who, ['doctor'], { PATH: bare }, bin);
    expect(doctor.exitCode).toBe(125);
    expect(doctor.stdout).toContain(`fix: ${hint(pkg)}`);
  });

  it('named by NSRUN_HELPER, the hint says so, and where the package has its own', async () => {
    const helper = join(dir, 'no-such-helper');
    const r = await run(who, ['--flags', 'uts', '--', 'true'], { PATH: bare, NSRUN_HELPER: helper });
    expect(r).toMatchObject({ exitCode: 125, stdout: '' });
    expect(r.stderr).toBe(
      `nsrun: helper ${helper} is missing (hint: NSRUN_HELPER names it: point it at a built helper, or unset it to use ${root}libexec/nsrun-helper)`,
    );
  });
});
