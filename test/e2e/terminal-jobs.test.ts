// Sandboxes on a terminal: one Ctrl-C under `make -j4` ends all of them, as it does with
// unshare(1), while a lone nsrun is a job of its own, with job control for a shell inside.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, handsOver, identities, nsrunBin, parentOf, processesWith, sleep, waitFor, type Identity } from './harness.js';

const JOBS = 4;

interface Terminal {
  readonly dir: string;
  readonly socket: string;
  readonly who: Identity;
}

let open: Terminal | undefined;

function tmux(t: Terminal, ...args: string[]): string {
  const [file, ...rest] = [...t.who.prefix, 'tmux', '-S', t.socket, '-f', '/dev/null', ...args];
  // tmux runs commands with $SHELL, else the user's login shell, which is nologin for uid 65534
  return execFileSync(file as string, rest, { encoding: 'utf8', env: { ...process.env, SHELL: '/bin/sh' } });
}

/** Host pids of the processes that run exactly `sleep <seconds>`. */
function sleepers(seconds: string): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === 'sleep' && f[2] === seconds && f.length === 3)
    .map((f) => Number(f[0]));
}

/** A number of seconds for `sleep` that no other test sleeps. */
const uniqueSeconds = (): string => `${100 + Math.floor(Math.random() * 800)}.${process.pid}`;

/** Runs command on a new tmux terminal as who, in a directory of its own (with files written first). */
function startTerminal(who: Identity, command: string, files: Record<string, string> = {}): Terminal {
  const dir = mkdtempSync(join(tmpdir(), 'nsrun-tty-'));
  chmodSync(dir, 0o777);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const t = { dir, socket: join(dir, 'tmux.sock'), who };
  open = t;
  tmux(t, 'new-session', '-d', '-x', '120', '-y', '30', '-c', dir, command, ';', 'set-option', '-g', 'remain-on-exit', 'on');
  return t;
}

/** Runs `make -j4` on a new tmux terminal, each target running `runner sh -c "sleep N"`. */
function startMake(who: Identity, runner: string, seconds: string): Terminal {
  const targets = Array.from({ length: JOBS }, (_, i) => `t${i}`).join(' ');
  return startTerminal(who, `make -j${JOBS}`, { Makefile: `all: ${targets}\n${targets}:\n\t${runner} sh -c "sleep ${seconds}"\n` });
}

/** What the terminal shows. */
function screen(t: Terminal): string {
  return tmux(t, 'capture-pane', '-p');
}

/** Types text at the terminal, then Enter; or a key such as C-z. */
function type(t: Terminal, text: string): void {
  tmux(t, 'send-keys', ...(/^C-.$/.test(text) ? [text] : ['-l', text]));
  if (!/^C-.$/.test(text)) tmux(t, 'send-keys', 'Enter');
}

/** The state letter of pid (R, S, T for stopped...), from /proc. */
function stateOf(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? '';
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
  const seconds = uniqueSeconds();
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

describe.each(identities)('a pipeline of two nsrun typed at an interactive shell, as $name', (who) => {
  it('ends both on one Ctrl-C, 130 each', async () => {
    const seconds = uniqueSeconds();
    const t = startTerminal(who, 'bash --norc --noprofile -i');
    await waitFor(() => screen(t).includes('$') || screen(t).includes('#'));
    const box = `${nsrunBin} --flags all -- sleep ${seconds}`;
    type(t, `${box} | ${box}; echo "status=\${PIPESTATUS[*]}"`);
    await waitFor(() => sleepers(seconds).length === 2);
    type(t, 'C-c');
    try {
      await waitFor(() => screen(t).includes('status=130 130'));
    } finally {
      for (const pid of sleepers(seconds)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe.each(identities)('a lone nsrun typed at an interactive shell, as $name', (who) => {
  it('gives a shell inside job control: Ctrl-Z stops its foreground job, fg resumes it, Ctrl-C ends it', async () => {
    const seconds = uniqueSeconds();
    const t = startTerminal(who, 'bash --norc --noprofile -i');
    await waitFor(() => screen(t).includes('$') || screen(t).includes('#'));
    type(t, `${nsrunBin} --flags all -- sh -i; echo "outer=$?"`);
    await waitFor(() => /^# ?$/m.test(screen(t))); // the prompt of root inside
    type(t, `sleep ${seconds}`);
    await waitFor(() => sleepers(seconds).length === 1);
    const [sleeper] = sleepers(seconds) as [number];
    type(t, 'C-z');
    await waitFor(() => stateOf(sleeper) === 'T');
    type(t, 'fg');
    await waitFor(() => stateOf(sleeper) !== 'T');
    type(t, 'C-c');
    type(t, 'echo "inner=$?"');
    await waitFor(() => screen(t).includes('inner=130'));
    type(t, 'exit 7');
    await waitFor(() => screen(t).includes('outer=7'));
  });

  it.each([
    ['a PID 1 that ignores it', ''],
    ['the command of --init, which it stops', '--init'],
  ])('is not stuck after Ctrl-Z on %s: the next Ctrl-C ends it', async (_, init) => {
    const seconds = uniqueSeconds();
    const t = startTerminal(who, 'bash --norc --noprofile -i');
    await waitFor(() => screen(t).includes('$') || screen(t).includes('#'));
    type(t, `${nsrunBin} --flags all ${init} -- sleep ${seconds}; echo "status=$?"`);
    await waitFor(() => sleepers(seconds).length === 1);
    type(t, 'C-z');
    try {
      // the command of --init stops: Ctrl-C must then reach a stopped job
      if (init) await waitFor(() => sleepers(seconds).every((p) => stateOf(p) === 'T'));
      type(t, 'C-c');
      await waitFor(() => screen(t).includes('status=130'));
    } finally {
      for (const pid of sleepers(seconds)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe.each(identities)('a Ctrl-C that nsrun shares with the sandbox (one process group), as $name', (who) => {
  it('reaches a command with a handler once, however late nsrun relays its own copy', async () => {
    const t = startTerminal(who, 'true');
    const log = join(t.dir, 'log');
    const command = `trap "echo int >> ${log}" INT; trap "echo term >> ${log}; exit 3" TERM; echo ready >> ${log}; while :; do sleep 0.05; done`;
    tmux(t, 'respawn-pane', '-k', `${nsrunBin} --flags all -- sh -c '${command}'; true`);
    const read = (): string => (existsSync(log) ? readFileSync(log, 'utf8') : '');
    await waitFor(() => read() === 'ready\n', 15000);
    // nsrun: node, the helper's parent; or, where node handed its process over, the helper itself,
    // the parent of the sandbox's sh
    let node = 0;
    const underHelper = (p: number): boolean => readFileSync(`/proc/${p}/comm`, 'utf8') === 'sh\n' && readFileSync(`/proc/${parentOf(p)}/comm`, 'utf8') === 'nsrun-helper\n';
    await waitFor(() => (node = processesWith(log).find(underHelper) ?? 0) !== 0);
    node = parentOf(node);
    if (!handsOver) node = parentOf(node);
    process.kill(node, 'SIGSTOP'); // nsrun's copy of the Ctrl-C waits, as on a machine too busy to run it
    type(t, 'C-c');
    await waitFor(() => read() === 'ready\nint\n');
    await sleep(300);
    process.kill(node, 'SIGCONT');
    process.kill(node, 'SIGTERM');
    await waitFor(() => !alive(node));
    expect(read()).toBe('ready\nint\nterm\n');
  });
});
