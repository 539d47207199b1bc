// Several sandboxes in one job on a terminal: one Ctrl-C under `make -j4` ends all of them,
// as it does with unshare(1), while a lone nsrun still becomes a job of its own.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identities, nsrunBin, waitFor, type Identity } from './harness.js';

const JOBS = 4;

interface Terminal {
  readonly dir: string;
  readonly socket: string;
  readonly who: Identity;
}

let open: Terminal | undefined;

function tmux(t: Terminal, ...args: string[]): string {
  const [file, ...rest] = [...t.who.prefix, 'tmux', '-S', t.socket, '-f', '/dev/null', ...args];
  return execFileSync(file as string, rest, { encoding: 'utf8' });
}

/** Host pids of the processes that run exactly `sleep <seconds>`. */
function sleepers(seconds: string): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === 'sleep' && f[2] === seconds && f.length === 3)
    .map((f) => Number(f[0]));
}

/** Runs `make -j4` on a new tmux terminal, each target running `runner sh -c "sleep N"`. */
function startMake(who: Identity, runner: string, seconds: string): Terminal {
  const dir = mkdtempSync(join(tmpdir(), 'nsrun-make-'));
  chmodSync(dir, 0o777);
  const targets = Array.from({ length: JOBS }, (_, i) => `t${i}`).join(' ');
  writeFileSync(join(dir, 'Makefile'), `all: ${targets}\n${targets}:\n\t${runner} sh -c "sleep ${seconds}"\n`);
  const t = { dir, socket: join(dir, 'tmux.sock'), who };
  open = t;
  tmux(t, 'new-session', '-d', '-x', '120', '-y', '30', `make -j${JOBS} -C ${dir}`, ';', 'set-option', '-g', 'remain-on-exit', 'on');
  return t;
}

function paneDead(t: Terminal): boolean {
  return tmux(t, 'display-message', '-p', '#{pane_dead}').trim() === '1';
}

afterEach(() => {
  if (!open) return;
  try {
    tmux(open, 'kill-server');
  } catch {
    // the server is gone already
  }
  rmSync(open.dir, { recursive: true, force: true });
  open = undefined;
});

/** Starts make with four targets, waits for four sleeps, types Ctrl-C once; returns what is left. */
async function interruptOnce(who: Identity, runner: string): Promise<{ dead: boolean; left: number[] }> {
  const seconds = `${100 + Math.floor(Math.random() * 800)}.${process.pid}`;
  const t = startMake(who, runner, seconds);
  await waitFor(() => sleepers(seconds).length === JOBS, 15000);
  tmux(t, 'send-keys', 'C-c');
  let dead = false;
  try {
    await waitFor(() => (dead = paneDead(t)) && sleepers(seconds).length === 0, 10000);
  } catch {
    // judged below: what is still there after one Ctrl-C
  }
  const left = sleepers(seconds);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  return { dead, left };
}

describe.each(identities)('one Ctrl-C under make -j4 on a terminal, as $name', (who) => {
  it('ends all four `unshare --fork --pid` targets and make (the reference)', async () => {
    expect(await interruptOnce(who, 'unshare --map-root-user --fork --pid --mount-proc')).toEqual({ dead: true, left: [] });
  });

  it('ends all four `nsrun --flags all` targets and make', async () => {
    expect(await interruptOnce(who, `${nsrunBin} --flags all --`)).toEqual({ dead: true, left: [] });
  });

  it('ends all four `nsrun --flags all --init` targets and make', async () => {
    expect(await interruptOnce(who, `${nsrunBin} --flags all --init --`)).toEqual({ dead: true, left: [] });
  });
});
