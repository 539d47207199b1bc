// What a sandboxed command may not do: gain privileges, keep dropped capabilities, type into the caller's terminal.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asNobody, helperBin, identities, nsrun, nsrunBin } from './harness.js';
import { compileC } from './probes.js';

const scratch = mkdtempSync(join(tmpdir(), 'nsrun-hardening-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A tiny static probe that tries to push a keystroke into its terminal with TIOCSTI. */
function tiocstiProbe(): string {
  return compileC(
    scratch,
    'tiocsti',
    '#include <errno.h>\n#include <stdio.h>\n#include <string.h>\n#include <sys/ioctl.h>\n' +
      'int main(void) { char c = \'#\'; if (ioctl(0, TIOCSTI, &c) == 0) { puts("TIOCSTI allowed"); return 0; }\n' +
      '  printf("TIOCSTI refused: %s\\n", strerror(errno)); return 1; }\n',
    '-static',
  );
}

const status = (field: string): string[] => ['sh', '-c', `grep '^${field}:' /proc/self/status | cut -f2`];
const capEff = (hex: string): bigint => BigInt(`0x${hex}`);

describe.each(identities)('hardening, as $name', (who) => {
  it('sets no_new_privs by default, not with --allow-new-privs', async () => {
    expect((await nsrun(['--flags', 'user', '--', ...status('NoNewPrivs')], who)).stdout).toBe('1');
    expect((await nsrun(['--flags', 'user', '--allow-new-privs', '--', ...status('NoNewPrivs')], who)).stdout).toBe('0');
  });

  it('keeps every capability of the user namespace for root inside by default', async () => {
    const r = await nsrun(['--flags', 'user', '--', ...status('CapEff')], who);
    const last = Number(execFileSync('cat', ['/proc/sys/kernel/cap_last_cap'], { encoding: 'utf8' }));
    expect(capEff(r.stdout)).toBe((1n << BigInt(last + 1)) - 1n);
  });

  it('--cap-drop all leaves none, --cap-add brings one back', async () => {
    expect(capEff((await nsrun(['--flags', 'user', '--cap-drop', 'all', '--', ...status('CapEff')], who)).stdout)).toBe(0n);
    const r = await nsrun(['--flags', 'user', '--cap-drop', 'all', '--cap-add', 'NET_ADMIN', '--', ...status('CapEff')], who);
    expect(capEff(r.stdout)).toBe(1n << 12n);
  });

  it('a dropped NET_ADMIN cannot take lo down; kept, it can', async () => {
    const down = ['--', 'ip', 'link', 'set', 'lo', 'down'];
    expect((await nsrun(['--flags', 'user,net', ...down], who)).exitCode).toBe(0);
    const r = await nsrun(['--flags', 'user,net', '--cap-drop', 'NET_ADMIN', ...down], who);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/not permitted/i);
  });

  it('--cap-add gives a uid other than 0 its capability through the ambient set', async () => {
    // root maps uid 7 and becomes it; an unprivileged caller keeps its own uid inside
    const identity = who.uid === 0 ? ['--uid-map', '0:0:1', '--uid-map', '7:7:1', '--gid-map', '0:0:1', '--uid', '7'] : ['--map', 'current'];
    const r = await nsrun(['--flags', 'user,net', ...identity, '--cap-add', 'NET_ADMIN', '--', 'sh', '-c', 'id -u; ip link set lo down && echo lo-down'], who);
    expect(r.stdout).toBe(`${who.uid === 0 ? 7 : who.uid}\nlo-down`);
  });

  it('refuses TIOCSTI, so the command cannot type into the caller\'s terminal', async () => {
    const probe = tiocstiProbe();
    const onTerminal = (command: string): string => spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' }).stdout;
    const outside = onTerminal(probe);
    const inside = onTerminal([...who.prefix, nsrunBin, '--flags', 'uts', '--', probe].join(' '));
    if (who.uid === 0) expect(outside).toContain('TIOCSTI allowed'); // the probe works: only the sandbox stops it
    expect(inside).toContain('TIOCSTI refused: Operation not permitted');
  });
});

describe('the helper', () => {
  it('refuses to run setuid (root-only: a setuid copy must be made to try)', async () => {
    const copy = join(scratch, 'nsrun-helper');
    copyFileSync(helperBin, copy);
    chmodSync(copy, 0o4755);
    const r = await nsrun(['--flags', 'uts', '--', 'true'], asNobody, { env: { NSRUN_HELPER: copy } });
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/must not be installed setuid/);
  });
});
