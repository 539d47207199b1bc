// What the API does, observed from inside one Node process; run by api.test.ts as root and unprivileged.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CommandFailedError, MaxBufferError, NsrunError, run, spawn, type NsrunResult, type RunOptions } from '../../../src/index.js';
import type { NamespaceName } from '../../../src/namespaces.js';

/** Host pids of the processes in the PID namespace with this inode. */
function inPidNamespace(inode: number | undefined): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`) === `pid:[${inode}]`;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How a run settled: its result, or what its rejection carries. */
export interface Outcome {
  readonly resolved?: NsrunResult;
  readonly name?: string;
  readonly nsrunError?: boolean;
  readonly commandFailed?: boolean;
  readonly message?: string;
  readonly shortMessage?: string;
  readonly step?: string;
  readonly exitCode?: number;
  readonly code?: string | undefined;
  readonly hint?: string | undefined;
  readonly result?: NsrunResult | undefined;
}

/** How a run settled; a failed run, as its error or resolved with reject: false, with its message and shortMessage. */
async function outcome(promise: Promise<NsrunResult>): Promise<Outcome> {
  try {
    const resolved = await promise;
    return resolved instanceof CommandFailedError ? { resolved: { ...resolved }, message: resolved.message } : { resolved };
  } catch (error) {
    if (!(error instanceof NsrunError)) throw error;
    return {
      name: error.name,
      nsrunError: true,
      commandFailed: error instanceof CommandFailedError,
      message: error.message,
      shortMessage: error instanceof CommandFailedError ? error.shortMessage : undefined,
      step: error.step,
      exitCode: error.exitCode,
      code: error.code,
      hint: error.hint,
      result: error instanceof CommandFailedError ? { ...error } : undefined,
    };
  }
}

/** What fd 3 of this process's helper points to (its status channel), once the helper runs. */
async function helperChannel(): Promise<string> {
  let target = '';
  await until(() => {
    for (const pid of readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').split(' ').filter(Boolean)) {
      try {
        if (readlinkSync(`/proc/${pid}/exe`).endsWith('/nsrun-helper')) target = readlinkSync(`/proc/${pid}/fd/3`);
      } catch {
        // not executed yet, or gone
      }
    }
    return target !== '';
  });
  return target;
}

/** Host pids of the processes with `word` in their command line. */
function withArgument(word: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(word);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A sleep of 1000 s that no other process has in its command line. */
function uniqueSleep(): string {
  return `1000.${process.pid}${Math.floor(Math.random() * 1e6)}`;
}

/** How a run with output over maxBuffer settled, the output replaced by its length. */
async function overflowing(promise: Promise<NsrunResult>): Promise<Outcome & { stream?: string; maxBuffer?: number; stdoutBytes: number; stderrBytes: number }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  const settled = await outcome(promise);
  const result = settled.resolved ?? settled.result;
  return {
    ...settled,
    resolved: settled.resolved === undefined ? undefined : { ...settled.resolved, stdout: '', stderr: '' },
    result: settled.result === undefined ? undefined : { ...settled.result, stdout: '', stderr: '' },
    stream: error instanceof MaxBufferError ? error.stream : undefined,
    maxBuffer: error instanceof MaxBufferError ? error.maxBuffer : undefined,
    stdoutBytes: Buffer.byteLength(result?.stdout ?? ''),
    stderrBytes: Buffer.byteLength(result?.stderr ?? ''),
  };
}

/** Each open fd with what it refers to (`5 pipe:[123]`), so that an fd closed and reused for something else counts as another. */
function openFds(): Set<string> {
  const fds = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      fds.add(`${fd} ${readlinkSync(`/proc/self/fd/${fd}`)}`);
    } catch {
      // closed meanwhile: the directory's own fd, or one another thread of node closed
    }
  }
  return fds;
}

export const CASES = {
  /** The command's view of its namespace of `type`, and what the result says of it. */
  namespace: async (type) => {
    const r = await run(['readlink', `/proc/self/ns/${type}`], { flags: [type as NamespaceName] });
    return { stdout: r.stdout, inode: r.namespaces[type as NamespaceName], host: readlinkSync(`/proc/self/ns/${type}`), exitCode: r.exitCode, pid: r.pid };
  },
  hostname: async (name) => {
    const r = await run(['sh', '-c', 'hostname; echo to-stderr >&2'], { flags: 'uts', hostname: name });
    return { stdout: r.stdout, stderr: r.stderr, setupMs: r.timings.setupMs, totalMs: r.timings.totalMs };
  },
  /** The status channel of run() and of spawn(), and the timings each gives. */
  channels: async () => {
    const running = run(['sleep', '0.5'], { flags: 'uts' });
    const ofRun = await helperChannel();
    const ran = await running;
    const spawned = spawn(['sleep', '0.5'], { flags: 'uts' });
    const ofSpawn = await helperChannel();
    await spawned.ready;
    const { timings } = await spawned.result;
    return { run: ofRun, spawn: ofSpawn, timings: [ran.timings, timings] };
  },
  input: async (text) => (await run(['cat'], { flags: 'uts', input: text })).stdout,
  /** A variable of `size` bytes, and whether the variable that carries the config to the helper shows. */
  environment: async (size) => {
    const r = await run(['sh', '-c', 'echo "${#BIG} ${NSRUN_CONFIG-unset}"'], { flags: 'uts', env: { BIG: 'x'.repeat(Number(size)) } });
    return r.stdout;
  },
  failure: async (status) => outcome(run(['sh', '-c', `echo out; echo err >&2; exit ${status}`], { flags: 'uts' })),
  noReject: async (status) => outcome(run(['sh', '-c', `exit ${status}`], { flags: 'uts', reject: false })),
  notFound: async (command) => outcome(run([command], { flags: 'uts' })),
  badOption: async (hostname) => outcome(run(['true'], { flags: 'uts', hostname })),
  /** execa's forms and defaults: a file and its arguments, flags of --flags words, the final newline stripped or kept, all, a cwd URL. */
  execaForms: async () => ({
    apart: await outcome(run('echo', ['hi  there'], { flags: ['uts', 'pid', 'ns', 'user'] })),
    mount: await outcome(run('readlink', ['/proc/self/ns/mnt'], { flags: ['mount'] })),
    hostMount: readlinkSync('/proc/self/ns/mnt'),
    stripped: await outcome(run(['printf', 'a\n\n'], { flags: 'uts' })),
    strippedCrlf: await outcome(run(['printf', 'b\r\n'], { flags: 'uts' })),
    kept: await outcome(run(['printf', 'a\n'], { flags: 'uts', stripFinalNewline: false })),
    all: await outcome(run(['sh', '-c', 'echo 1; sleep 0.3; echo 2 >&2; sleep 0.3; echo 3'], { flags: 'uts', all: true })),
    cwd: await outcome(run('pwd', { flags: 'uts', cwd: new URL('file:///tmp') })),
  }),
  /** Failures, rejected and resolved with reject: false: a status, a signal, a failure with all, a setup failure. */
  failures: async () => ({
    status: await outcome(run(['sh', '-c', 'echo out; echo "it failed" >&2; exit 3'], { flags: 'uts' })),
    signal: await outcome(run(['sh', '-c', 'echo before; kill -KILL $$'], { flags: 'uts' })),
    all: await outcome(run(['sh', '-c', 'echo 1; sleep 0.3; echo 2 >&2; exit 1'], { flags: 'uts', all: true, reject: false })),
    setup: await outcome(run('true', { flags: 'uts', cwd: new URL('file:///nonexistent-nsrun-dir'), reject: false })),
  }),
  /** An AbortSignal stops a sandbox of several processes; nothing of it is left when the promise settles. */
  abort: async () => {
    const controller = new AbortController();
    const sandbox = spawn(['sh', '-c', 'sleep 1000 & sleep 1000 & wait'], { signal: controller.signal });
    const { namespaces } = await sandbox.ready;
    await until(() => inPidNamespace(namespaces.pid).length === 3);
    controller.abort();
    const ended = await outcome(sandbox.result);
    return { ended, left: inPidNamespace(namespaces.pid) };
  },
  /**
   * A run aborted `delay` ms after it started, with `flags` (the default set when absent): how it
   * settled, and which processes of its command are left once it has.
   */
  abortAfter: async (arg) => {
    const { flags, delay } = JSON.parse(arg) as { flags?: string; delay: number };
    const marker = uniqueSleep();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), delay);
    const options: RunOptions = flags === undefined ? { signal: controller.signal } : { flags, signal: controller.signal };
    const ended = await outcome(run(['sh', '-c', `sleep ${marker} & sleep ${marker} & wait`], options));
    clearTimeout(timer);
    return { ended, left: withArgument(marker) };
  },
  /**
   * An aborted run whose command left a process in namespaces of its own (`unshare --uts`), out of
   * reach of the sandbox's: the run settles all the same; how many such processes were left (then killed).
   */
  abortEscaped: async () => {
    const marker = uniqueSleep();
    const controller = new AbortController();
    const running = outcome(run(['sh', '-c', `unshare --uts sleep ${marker} & wait`], { flags: 'uts', signal: controller.signal }));
    await until(() => withArgument(marker).length > 0);
    controller.abort();
    const ended = await running;
    const escaped = withArgument(marker);
    for (const pid of escaped) process.kill(pid, 'SIGKILL');
    return { ended, escaped: escaped.length };
  },
  /** A run whose command has ended, leaving a process that holds its stdout open, aborted then. */
  abortAfterExit: async (flags) => {
    const marker = uniqueSleep();
    const controller = new AbortController();
    const running = outcome(run(['sh', '-c', `sleep ${marker} &`], { flags, signal: controller.signal }));
    await until(() => withArgument(marker).length > 0);
    controller.abort();
    const ended = await running;
    return { ended, left: withArgument(marker) };
  },
  /** A command that writes to `stream` without end, with a maxBuffer of 1 MiB, its output kept whole to count what was kept. */
  maxBuffer: async (arg) => {
    const { stream, flags, reject } = JSON.parse(arg) as { stream: 'stdout' | 'stderr'; flags?: string; reject: boolean };
    const command = stream === 'stdout' ? ['yes'] : ['sh', '-c', 'yes >&2'];
    return overflowing(run(command, { ...(flags === undefined ? {} : { flags }), maxBuffer: 1024 * 1024, reject, stripFinalNewline: false }));
  },
  /** `buffer: false`: run() discards the output, which maxBuffer then does not limit. */
  noBuffer: async (bytes) => overflowing(run(['head', '-c', bytes, '/dev/zero'], { flags: 'uts', buffer: false, maxBuffer: 1024 * 1024 })),
  /** spawn() with its stdout read by the caller: how much it read, what the result kept, and how much this process grew meanwhile. */
  spawnStream: async (bytes) => {
    const before = process.memoryUsage.rss();
    let peak = before;
    let read = 0;
    const sandbox = spawn(['head', '-c', bytes, '/dev/zero'], { flags: 'uts' });
    sandbox.stdout?.on('data', (chunk: Buffer) => {
      read += chunk.length;
      peak = Math.max(peak, process.memoryUsage.rss());
    });
    const ended = await sandbox.result;
    return { read, exitCode: ended.exitCode, kept: ended.stdout.length, grewMiB: (peak - before) / 2 ** 20 };
  },
  /** A signal aborted before the call: the sandbox is stopped before the command runs. */
  abortedBefore: async () => outcome(run(['sleep', '1000'], { signal: AbortSignal.abort(), reject: false })),
  timeout: async (ms) => {
    const ended = await outcome(run(['sleep', '1000'], { timeout: Number(ms), reject: false }));
    return ended;
  },
  /** spawn: the sandbox once up, then kill(signal). */
  kill: async (signal) => {
    const sandbox = spawn(['sleep', '1000']);
    const up = await sandbox.ready;
    const running = inPidNamespace(up.namespaces.pid);
    sandbox.kill(signal as NodeJS.Signals);
    const ended = await outcome(sandbox.result);
    await until(() => inPidNamespace(up.namespaces.pid).length === 0);
    return { up, running, ended, helperPid: sandbox.child.pid };
  },
  /** Many sandboxes from one process at once, all up together: each its own hostname and UTS namespace, no fd left open. */
  concurrent: async (count) => {
    const before = openFds();
    const names = Array.from({ length: Number(count) }, (_, i) => `box-${i}`);
    // each prints its hostname, then waits for its stdin to close, so that all are up at once
    const sandboxes = names.map((hostname) => spawn(['sh', '-c', 'hostname; cat'], { flags: 'uts', hostname, stdin: 'pipe', buffer: true }));
    const up = await Promise.all(sandboxes.map((s) => s.ready));
    // what the sandboxes opened: the fds open now that were not before (a loader such as tsx opens
    // and closes fds of its own meanwhile, which are not counted unless they fall in this window)
    const during = openFds();
    const made = [...during].filter((fd) => !before.has(fd));
    for (const s of sandboxes) s.child.stdin?.end();
    const results = await Promise.all(sandboxes.map((s) => s.result));
    const after = openFds();
    return {
      names,
      stdout: results.map((r) => r.stdout.trim()),
      inodes: up.map((sandbox) => sandbox.namespaces.uts),
      host: readlinkSync('/proc/self/ns/uts'),
      fdsMade: made.length,
      fdsLeft: made.filter((fd) => after.has(fd)),
    };
  },
} satisfies Readonly<Record<string, (arg: string) => Promise<unknown>>>;

export type CaseName = keyof typeof CASES;
