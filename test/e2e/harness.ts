// Runs the built bin/nsrun as a user would, as root or unprivileged.
import { execa, type Options } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const nsrunBin = `${root}bin/nsrun`;
export const helperBin = `${root}libexec/nsrun-helper`;

/** Whether the node that runs the suite, and so bin/nsrun, hands its process to the helper (process.execve, Node ≥ 22.15). */
export const handsOver = typeof (process as { execve?: unknown }).execve === 'function';

/** The parent of process pid. */
export const parentOf = (pid: number): number => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** The unprivileged identity of the rootless cases. */
export const NOBODY = 65534;

/** A test user with /etc/subuid and /etc/subgid ranges (made by scripts/ci-setup.sh). */
export const TEST_USER = 'nsrun-test';

export interface Identity {
  readonly name: string;
  /** Prefix that runs a command as this identity. */
  readonly prefix: readonly string[];
  readonly uid: number;
}

export const asRoot: Identity = { name: 'root', prefix: [], uid: 0 };
export const asNobody: Identity = {
  name: 'unprivileged (uid 65534)',
  prefix: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'],
  uid: NOBODY,
};

/** Both identities: every end-to-end case runs for root and for an unprivileged user. */
export const identities: readonly Identity[] = [asRoot, asNobody];

export function testUserId(): number | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${TEST_USER}:`));
  return line === undefined ? undefined : Number(line.split(':')[2]);
}

export function asUid(uid: number): Identity {
  return { name: `uid ${uid}`, prefix: ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'], uid };
}

export interface Outcome {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running nsrun: await it for its outcome; kill it, read its pid or its output meanwhile. */
export type Running = Promise<Outcome> & { readonly pid: number | undefined; readonly stdout: Readable | null; kill(signal?: NodeJS.Signals): boolean };

/** Runs bin/nsrun with args as who; never rejects: the outcome carries the exit code. */
export function nsrun(args: readonly string[], who: Identity = asRoot, options: Options = {}): Running {
  const [file, ...rest] = [...who.prefix, nsrunBin, ...args];
  const child = execa(file as string, rest, { reject: false, ...(options.stdio ? {} : { stdin: 'ignore' as const }), ...options });
  // a death by signal reads as a shell reports it, 128+n
  const exitCode = (r: { exitCode?: number; signal?: NodeJS.Signals }): number | undefined =>
    r.exitCode ?? (r.signal === undefined ? undefined : 128 + constants.signals[r.signal]);
  const outcome = child.then((r) => ({ exitCode: exitCode(r), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') }));
  return Object.assign(outcome, { pid: child.pid, stdout: child.stdout, kill: (signal?: NodeJS.Signals) => child.kill(signal) });
}

/** The inode of each namespace of this (host) process. */
export function hostNamespaces(): Record<string, string> {
  const kinds = ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time'];
  return Object.fromEntries(kinds.map((k) => [k, readlinkSync(`/proc/self/ns/${k}`).replace(/\D/g, '')]));
}

/** The host's view, to check that a run leaves it as it was. */
export function hostState(): { mountinfo: string; hostname: string; domainname: string } {
  return {
    mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'),
    hostname: readFileSync('/proc/sys/kernel/hostname', 'utf8'),
    domainname: readFileSync('/proc/sys/kernel/domainname', 'utf8'),
  };
}

/** Pids of every descendant of pid, from /proc. */
export function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** Host pids of processes whose command line contains marker. */
export function processesWith(marker: string): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -e'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Pids of the processes that run program `comm` with marker among their arguments (not an nsrun whose command line names it). */
export function processesRunning(comm: string, marker: string): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,comm=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, name, ...args]) => name === comm && args.includes(marker))
    .map(([pid]) => Number(pid));
}

export function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until predicate holds, or fails after timeoutMs. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(20);
  }
}

/** The host pid of the `sleep` that a running nsrun's sandbox runs, once it runs. */
export async function sandboxSleep(running: Running): Promise<number> {
  let found: number | undefined;
  await waitFor(() => {
    found = descendants(running.pid ?? 0).find((p) => alive(p) && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sleep');
    return found !== undefined;
  }, 10_000);
  return found ?? 0;
}
