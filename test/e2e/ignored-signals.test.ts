// Signals the caller ignores stay ignored in the sandbox, as with unshare(1): nohup, the
// background jobs of a script, `trap '' SIG`.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { identities, nsrun, nsrunBin, processesWith, waitFor, type Identity } from './harness.js';

const SIGIGN = 'grep SigIgn /proc/self/status';
const UNSHARE = 'unshare --map-root-user --fork --pid --mount-proc';
const MODES = ['without --init', 'with --init'] as const;
const initFor = (mode: (typeof MODES)[number]): string[] => (mode === 'with --init' ? ['--init'] : []);

// what the test's shell adds to the ignored set it got (which may hold more, the realtime
// signal 32 under some CI runners, say): unshare's command must show it, and nsrun's the same
const HUP_TERM = 0x4001n;
const INT_QUIT = 0x6n;
/** The ignored signals of a `SigIgn:` line, as a mask. */
const ignored = (line: string | undefined): bigint => BigInt(`0x${(line ?? '').split('\t')[1] ?? '0'}`);

/** Runs a shell script as who; returns its standard output, lines trimmed. */
async function shell(who: Identity, script: string): Promise<string[]> {
  const [file, ...rest] = [...who.prefix, 'sh', '-c', script];
  const r = await execa(file as string, rest, { reject: false, stdin: 'ignore', env: { N: nsrunBin } });
  expect(r.stderr).toBe('');
  return String(r.stdout).split('\n');
}

let sandbox: ReturnType<typeof nsrun> | undefined;

/** Starts `sleep` in a sandbox of its own with extra options, as who; returns the sleep's host pid. */
async function startSleep(who: Identity, extra: readonly string[]): Promise<number> {
  const marker = `1000.${process.pid}${Math.floor(Math.random() * 1000)}`;
  sandbox = nsrun([...extra, '--', 'sleep', marker], who);
  let pid = 0;
  await waitFor(() => (pid = processesWith(marker).find((p) => readFileSync(`/proc/${p}/comm`, 'utf8') === 'sleep\n') ?? 0) !== 0);
  return pid;
}

afterEach(async () => {
  sandbox?.kill('SIGKILL');
  await sandbox;
  sandbox = undefined;
});

describe.each(identities)('signals the caller ignores, as $name', (who) => {
  it.each(MODES)("after `trap '' TERM HUP`, the command of nsrun run %s ignores what unshare's does", async (mode) => {
    const flags = ['--flags', 'pid,ns,user', ...initFor(mode)].join(' ');
    const [ours, theirs] = await shell(who, `trap '' TERM HUP; "$N" ${flags} -- ${SIGIGN}; ${UNSHARE} ${SIGIGN}`);
    expect(ignored(theirs) & HUP_TERM).toBe(HUP_TERM);
    expect(ours).toBe(theirs);
  });

  it.each(MODES)('a background job of a script, nsrun run %s, ignores SIGINT and SIGQUIT as unshare does', async (mode) => {
    const flags = ['--flags', 'pid,ns,user', ...initFor(mode)].join(' ');
    const [ours, theirs] = await shell(who, `"$N" ${flags} -- ${SIGIGN} & wait; ${UNSHARE} ${SIGIGN} & wait`);
    expect(ignored(theirs) & INT_QUIT).toBe(INT_QUIT);
    expect(ours).toBe(theirs);
  });

  it("after `trap '' TERM HUP`, the command of nsrun exec ignores what unshare's does", async () => {
    const target = await startSleep(who, ['--flags', 'pid,ns,user']);
    const [ours, theirs] = await shell(who, `trap '' TERM HUP; "$N" exec --target ${target} -- ${SIGIGN}; ${UNSHARE} ${SIGIGN}`);
    expect(ignored(theirs) & HUP_TERM).toBe(HUP_TERM);
    expect(ours).toBe(theirs);
  });

  it.each(MODES)('under nohup, nsrun run %s lives through SIGHUP and ends on the SIGTERM that follows', async (mode) => {
    await startSleep({ ...who, prefix: [...who.prefix, 'nohup'] }, ['--flags', 'pid,ns', ...initFor(mode)]);
    sandbox?.kill('SIGHUP');
    sandbox?.kill('SIGTERM');
    expect((await sandbox)?.exitCode).toBe(143);
  });
});
