// Runs the built bin/nsrun as a user would, as root or unprivileged.
import { execa, type Options } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** What a run did, with the mounts of the namespace it ran in, before and after (/proc/self/mountinfo). */
export interface OutcomeWithMounts extends Outcome {
  readonly mountsBefore: string;
  readonly mountsAfter: string;
}

// the mounts are made shared again, as a host's are, but as peers of their own: what other programs
// mount on the host meanwhile does not show, what the run would leak does
const OWN_MOUNTS_SCRIPT = `before=$1 after=$2; shift 2
mount --make-rshared / && cat /proc/self/mountinfo > "$before" || exit 99
"$@"; status=$?
cat /proc/self/mountinfo > "$after"
exit $status`;

/**
 * Runs a command in a mount namespace of its own made by root, so that a test compares the mounts
 * the command could have changed and nothing else the machine does meanwhile.
 */
export async function inOwnMounts(command: readonly string[], options: Options = {}): Promise<OutcomeWithMounts> {
  const dir = mkdtempSync(join(tmpdir(), 'nsrun-mounts-'));
  try {
    const [before, after] = [join(dir, 'before'), join(dir, 'after')];
    const args = ['--mount', '--propagation', 'private', 'sh', '-c', OWN_MOUNTS_SCRIPT, 'sh', before, after, ...command];
    const r = await execa('unshare', args, { reject: false, stdin: 'ignore', ...options });
    if (r.exitCode === 99) throw new Error(`no mount namespace of its own: ${String(r.stderr)}`);
    return {
      exitCode: r.exitCode,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      mountsBefore: readFileSync(before, 'utf8'),
      mountsAfter: readFileSync(after, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A mountinfo line's mount point, its octal escapes (`\040` for a space) undone. */
function mountPoint(line: string): string {
  return (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * What changed in the mounts of a run in a mount namespace of its own: each line added, and each
 * removed whose mount point is still there. One whose mount point was deleted was detached by the
 * kernel, as it is in every namespace when another program deletes a mount point it unmounted
 * (such as nsrun rm of another test's kept sandbox), and is no change of the run's.
 */
export function mountChanges({ mountsBefore, mountsAfter }: OutcomeWithMounts): string[] {
  const [before, after] = [new Set(mountsBefore.split('\n')), new Set(mountsAfter.split('\n'))];
  const added = [...after].filter((line) => !before.has(line)).map((line) => `+ ${line}`);
  const removed = [...before].filter((line) => !after.has(line) && existsSync(mountPoint(line))).map((line) => `- ${line}`);
  return [...added, ...removed];
}

/**
 * What changed in this process's mounts since `mountsBefore` (a /proc/self/mountinfo), for tests
 * that run in the host's mount namespace and keep no sandbox: as mountChanges, and without the
 * namespace files (nsfs) that other programs' kept sandboxes bind meanwhile on a shared machine.
 */
export function hostMountChanges(mountsBefore: string): string[] {
  const mountsAfter = readFileSync('/proc/self/mountinfo', 'utf8');
  return mountChanges({ mountsBefore, mountsAfter, exitCode: 0, stdout: '', stderr: '' }).filter((line) => !line.includes(' - nsfs '));
}

/** Runs bin/nsrun with args as who in a mount namespace of its own (inOwnMounts). */
export function nsrunInOwnMounts(args: readonly string[], who: Identity = asRoot): Promise<OutcomeWithMounts> {
  return inOwnMounts([...who.prefix, nsrunBin, ...args]);
}

/** The inode of each namespace of this (host) process. */
export function hostNamespaces(): Record<string, string> {
  const kinds = ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time'];
  return Object.fromEntries(kinds.map((k) => [k, readlinkSync(`/proc/self/ns/${k}`).replace(/\D/g, '')]));
}

/** The host's hostname and NIS domain name, which no run may change. */
export function hostNames(): { hostname: string; domainname: string } {
  const { hostname, domainname } = hostState();
  return { hostname, domainname };
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
