/** Runs the C helper with a config and follows its status stream (docs/contract.md). */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { releaseAddress } from './bridge.js';
import { LIMITS, type HelperConfig } from './config.js';
import { EXIT, fromHelperError, NsrunError, usageError } from './errors.js';
import { CONFIG_VARIABLE, helperDocument, helperNotStarted, helperPath, INLINE_CONFIG_BYTES } from './handover.js';
import type { NamespaceName } from './namespaces.js';
import { osConstants, processContext } from './system.js';

/** The signals nsrun passes on to the helper, which passes them on to the command (docs/signals.md). */
export const RELAYED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** How the command ended. */
export interface HelperResult {
  /** The command's exit status, or 128+n when it died of signal n. */
  readonly exitCode: number;
  /** The signal the command died of, if it did. */
  readonly signal?: NodeJS.Signals | undefined;
  /** The host pid of the sandbox's first process, once the command was executed. */
  readonly childPid?: number | undefined;
  /** The inode of each namespace the command lived in. */
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  /** When the command was executed, in ns on the clock of process.hrtime.bigint(), if it was. */
  readonly executedAt?: bigint | undefined;
}

/** Where one of the command's standard streams goes: a pipe to this process, this process's own, /dev/null, or an fd. */
export type StdioTarget = 'pipe' | 'inherit' | 'ignore' | number;

/** The sandbox once the command runs. */
export interface SandboxReady {
  /** The host pid of the sandbox's first process. */
  readonly childPid: number;
  /** The inode of each namespace the command lives in. */
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  /** When the command was executed, in ns on the clock of process.hrtime.bigint(). */
  readonly executedAt: bigint;
  /** The network backend that connects the sandbox (`--network pasta|slirp4netns`), and its host pid. */
  readonly network?: NetworkBackend | undefined;
}

/** A running network backend, as the status stream names it. */
export interface NetworkBackend {
  readonly backend: 'pasta' | 'slirp4netns';
  readonly pid: number;
}

/** How to run the helper. */
export interface RunHelperOptions {
  /**
   * The helper executable.
   * @default helperPath()
   */
  readonly helper?: string;
  /**
   * The command's stdin, stdout and stderr.
   * @default ['inherit', 'inherit', 'inherit']
   */
  readonly stdio?: readonly [StdioTarget, StdioTarget, StdioTarget];
  /**
   * Relay the RELAYED_SIGNALS this process receives to the sandbox, as the CLI does. A library
   * leaves them alone: a listener would stop Node's own default action.
   * @default true
   */
  readonly relaySignals?: boolean;
  /**
   * Called once, when the command has been executed.
   * @default none
   */
  readonly onReady?: (ready: SandboxReady) => void;
  /**
   * Start the helper but keep the config from it, so that it sets nothing up until kill() ends it:
   * for a sandbox stopped before it starts.
   * @default false
   */
  readonly withhold?: boolean;
}

/** A running helper. */
export interface HelperProcess {
  /** The helper's process; its stdin, stdout and stderr are the command's when they are pipes. */
  readonly child: ChildProcess;
  /** Resolves when the command has ended; rejects as runHelper does. */
  readonly result: Promise<HelperResult>;
  /**
   * Sends `signal` to the helper, which relays it to the command (docs/signals.md). SIGKILL kills
   * the helper, and with it the sandbox; the result then reports SIGKILL.
   */
  kill(signal?: NodeJS.Signals): boolean;
  /**
   * Ends the sandbox as kill('SIGTERM') does; once its first process has ended, a sandbox without
   * a PID namespace of its own has every process still in its namespaces killed too, which a PID
   * namespace would have ended with it.
   */
  stop(): void;
}

/** The name of signal `n`, if it has one. */
function signalName(n: number): NodeJS.Signals | undefined {
  const { signals } = osConstants();
  return (Object.keys(signals) as NodeJS.Signals[]).find((name) => signals[name] === n);
}

/**
 * Checks that fds 3..count+2 were given to nsrun, so they can be given on to the command.
 * Node's own descriptors (its event loop's epoll and eventfd) do not count.
 */
function preservedFds(count: number): number[] {
  const fds = Array.from({ length: count }, (_, i) => i + 3);
  for (const fd of fds) {
    let target: string;
    try {
      fstatSync(fd);
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      throw usageError(`--preserve-fds ${count}: file descriptor ${fd} is not open`, 'open it in the shell, e.g. 3<file');
    }
    if (target === 'anon_inode:[eventpoll]' || target === 'anon_inode:[eventfd]') {
      throw usageError(`--preserve-fds ${count}: file descriptor ${fd} was not passed to nsrun`, 'open it in the shell, e.g. 3<file');
    }
  }
  return fds;
}

/** Linux's O_TMPFILE, which Node does not name. */
const O_TMPFILE = 0o20000000 | fsConstants.O_DIRECTORY;

/** The bytes the helper's status lines can take: at most three, of under 1 KiB each (emit_status). */
const STATUS_FILE_BYTES = 4096;

/**
 * A file without a name in the temporary directory, open for reading and writing at offset 0;
 * undefined where there can be none. Its space is taken here, as newlines that readers skip, so
 * that a full file system refuses the file now, and the status comes on the socket, rather than
 * the helper's lines being lost (written over, the space needs no more).
 */
function unnamedFile(): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(process.env['TMPDIR'] || '/tmp', O_TMPFILE | fsConstants.O_RDWR, 0o600);
    if (writeSync(fd, Buffer.alloc(STATUS_FILE_BYTES, '\n'), 0, STATUS_FILE_BYTES, 0) === STATUS_FILE_BYTES) return fd;
  } catch {
    // no O_TMPFILE there, or no space
  }
  if (fd !== undefined) closeSync(fd);
  return undefined;
}

/** What the file open at `fd` holds, as text, read from its start; closes it. */
function readAndClose(fd: number): string {
  try {
    return readFileSync(`/proc/self/fd/${fd}`, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** The host pids of the processes in any of `links` (`uts:[4026532179]`, as /proc/PID/ns/uts reads). */
function processesIn(links: ReadonlyMap<NamespaceName, string>): number[] {
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    for (const [kind, link] of links) {
      try {
        if (readlinkSync(`/proc/${name}/ns/${kind}`) === link) return [Number(name)];
      } catch {
        return []; // gone, a zombie, or another user's
      }
    }
    return [];
  });
}

/**
 * Kills the processes the sandbox's first process left behind: those still in one of the
 * namespaces the sandbox created (without a PID namespace, its end ends nothing else). Killed
 * ones may have forked meanwhile: looks again, a bounded number of times.
 */
function killLeftovers(config: HelperConfig, namespaces: Partial<Record<NamespaceName, number>>): void {
  if (config.join !== undefined || config.namespaces.includes('pid')) return;
  const links = new Map(config.namespaces.flatMap((kind) => (namespaces[kind] === undefined ? [] : [[kind, `${kind}:[${namespaces[kind]}]`] as const])));
  if (links.size === 0) return;
  for (let round = 0; round < 10; round++) {
    const left = processesIn(links);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
  }
}

/** How long the streams of a stopped sandbox may stay open after the helper has ended: held by a process that escaped its namespaces. */
const STOPPED_STREAMS_MS = 1000;

/** One parsed line of the status stream, its known members checked. */
interface StatusLine {
  readonly childPid?: number;
  readonly executedUs?: number;
  readonly namespaces?: Partial<Record<NamespaceName, number>>;
  readonly network?: NetworkBackend;
  readonly exitCode?: number;
  readonly signal?: number;
  readonly error?: unknown;
}

/** The `network` member of a status line, when it names a backend and its pid. */
function networkOf(value: unknown): NetworkBackend | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { backend, pid } = value as { backend?: unknown; pid?: unknown };
  return (backend === 'pasta' || backend === 'slirp4netns') && Number.isInteger(pid) ? { backend, pid: Number(pid) } : undefined;
}

function readStatusLine(text: string): StatusLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const line = parsed as Readonly<Record<string, unknown>>;
  const int = (v: unknown): number | undefined => (Number.isInteger(v) ? Number(v) : undefined);
  const ns = line['namespaces'];
  return {
    childPid: int(line['child-pid']),
    executedUs: int(line['executed-us']),
    namespaces:
      typeof ns === 'object' && ns !== null
        ? Object.fromEntries(Object.entries(ns).filter(([, inode]) => Number.isInteger(inode)))
        : undefined,
    network: networkOf(line['network']),
    exitCode: int(line['exit-code']),
    signal: int(line['signal']),
    error: 'error' in line ? line['error'] : undefined,
  };
}

/**
 * Runs the helper with `config`: see startHelper. Resolves when the command has ended; rejects
 * with an NsrunError when the sandbox could not be set up or the command not executed.
 */
export function runHelper(config: HelperConfig, options: RunHelperOptions = {}): Promise<HelperResult> {
  try {
    return startHelper(config, options).result;
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Starts the helper with `config`: the command gets the `stdio` asked for and the preserved fds;
 * the config goes in through the helper's environment or a socket (with `parent-pid` set to this
 * process unless the config names another) and the status comes back on the socket, or in a file
 * without a name when nothing waits for it as it comes. Signals this process receives meanwhile
 * are relayed unless `relaySignals` is false. Every run has its own channel and state, so any
 * number may run at once. Throws a usage error for a config over the limit or fds that are not open.
 */
export function startHelper(config: HelperConfig, options: RunHelperOptions = {}): HelperProcess {
  const helper = options.helper ?? helperPath();
  // The helper dies with the process that runs it, this one.
  const document = helperDocument({ ...config, 'parent-pid': config['parent-pid'] ?? process.pid });
  const size = Buffer.byteLength(document);
  if (size > LIMITS.configBytes) {
    throw usageError(`the config is ${size} bytes, over the limit of ${LIMITS.configBytes} (is the environment that large?)`);
  }
  const inherited = preservedFds(config['preserve-fds'] ?? 0);
  const withhold = options.withhold ?? false;
  const inline = !withhold && size <= INLINE_CONFIG_BYTES;
  // One channel carries the status back, and the config in when it is too large for the helper's
  // environment, which costs Node less than a write to the socket. The helper reads nothing
  // else of its environment: the command's is in the config. Without onReady nothing waits for
  // the status as it comes, and a file read once the helper has ended costs Node less than a socket.
  const channelFd = inherited.length + 3;
  let statusFile = inline && options.onReady === undefined ? unnamedFile() : undefined;
  /** The lines the helper wrote to the status file, once; closes it. */
  const statusFileText = (): string => {
    const text = statusFile === undefined ? '' : readAndClose(statusFile);
    statusFile = undefined;
    return text;
  };
  const stdio: StdioOptions = [...(options.stdio ?? ['inherit', 'inherit', 'inherit']), ...inherited, statusFile ?? 'pipe'];
  const source = inline ? ['--config-env', CONFIG_VARIABLE] : ['--config-fd', String(channelFd)];
  const env = inline ? { [CONFIG_VARIABLE]: document } : {};
  // Signals sent through kill() or relayed: the helper dying of one of them is the sandbox ending as asked.
  const sent = new Set<NodeJS.Signals>();
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): boolean => {
    sent.add(signal);
    return child.kill(signal);
  };
  // The relay is in place before the helper starts, for the helper does not wait for this process:
  // a signal that comes once the command runs always reaches it. Node calls a listener only once
  // this function has returned, when the helper exists.
  const relaySignals = options.relaySignals ?? true;
  const stopRelaying = (): void => {
    if (relaySignals) for (const signal of RELAYED_SIGNALS) process.off(signal, kill);
  };
  if (relaySignals) for (const signal of RELAYED_SIGNALS) process.on(signal, kill);
  let child: ChildProcess;
  try {
    child = spawn(helper, [...source, '--status-fd', String(channelFd)], { stdio, env, detached: false });
  } catch (error) {
    stopRelaying();
    statusFileText();
    throw error;
  }
  let stopping = false;
  let exited = false;
  /** Kills what the sandbox left and bounds how long its pipes may stay open; set up with the result below. */
  let endStopped = (): void => undefined;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // a command that has ended may have left processes that hold its pipes open
    if (exited) endStopped();
    else kill('SIGTERM');
  };

  const result = new Promise<HelperResult>((resolve, reject) => {
    let childPid: number | undefined;
    let executedAt: bigint | undefined;
    let namespaces: Partial<Record<NamespaceName, number>> = {};
    let ended: { exitCode: number; signal: number | undefined } | undefined;
    let failure: NsrunError | undefined;
    let pending = '';
    const onLine = (text: string): void => {
      const line = readStatusLine(text);
      if (line.childPid !== undefined) childPid = line.childPid;
      // CLOCK_MONOTONIC, which process.hrtime reads too
      if (line.executedUs !== undefined) executedAt = BigInt(line.executedUs) * 1000n;
      if (line.namespaces !== undefined) namespaces = line.namespaces;
      if (line.childPid !== undefined) options.onReady?.({ childPid: line.childPid, namespaces, executedAt: executedAt ?? process.hrtime.bigint(), network: line.network });
      if (line.exitCode !== undefined) ended = { exitCode: line.exitCode, signal: line.signal };
      if (line.error !== undefined) failure = fromHelperError(line.error, { config, system: processContext() });
    };

    // The channel is a socket, absent only when the helper could not be started ('error' below),
    // where node may not even have made the child's stdio (EMFILE)
    const channel = (child.stdio as ChildProcess['stdio'] | undefined)?.[channelFd];
    if (channel instanceof Socket) {
      // A helper that dies before reading its config breaks the channel; its exit says why.
      channel.on('error', () => undefined);
      channel.setEncoding('utf8');
      channel.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const text of lines) if (text !== '') onLine(text);
      });
      // to its end: the helper reads until this side is shut down
      if (!inline && !withhold) channel.end(document);
    }

    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      stopRelaying();
      outcome();
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      statusFileText();
      settle(() => reject(helperNotStarted(helper, error)));
    });

    /** Reads the status file, once the helper has ended. */
    const readStatusFile = (): void => {
      for (const text of statusFileText().split('\n')) if (text !== '') onLine(text);
    };
    let streamsTimer: NodeJS.Timeout | undefined;
    endStopped = (): void => {
      readStatusFile();
      killLeftovers(config, namespaces);
      // what is left holds no pipe of the sandbox, unless it escaped its namespaces
      streamsTimer = setTimeout(() => {
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
      }, STOPPED_STREAMS_MS);
    };
    child.on('exit', () => {
      exited = true;
      if (stopping) endStopped();
    });

    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(streamsTimer);
      for (const text of pending.split('\n')) if (text !== '') onLine(text);
      readStatusFile();
      settle(() => {
        if (failure !== undefined) {
          reject(failure);
        } else if (ended !== undefined) {
          const died = ended.signal === undefined ? undefined : signalName(ended.signal);
          resolve({ exitCode: ended.exitCode, signal: died, childPid, namespaces, executedAt });
        } else if (signal !== null && sent.has(signal)) {
          resolve({ exitCode: 128 + osConstants().signals[signal], signal, childPid, namespaces, executedAt });
        } else if (signal !== null) {
          reject(new NsrunError(`the helper died of signal ${signal}`, { step: 'helper', exitCode: EXIT.setup, detail: signal }));
        } else if (childPid !== undefined && code !== null) {
          resolve({ exitCode: code, childPid, namespaces, executedAt });
        } else {
          reject(
            new NsrunError(`the helper exited with status ${code ?? 'unknown'} without saying why`, {
              step: 'helper',
              exitCode: EXIT.setup,
              hint: 'nsrun and its helper may be out of step; run `make`',
            }),
          );
        }
      });
    });
  });
  const { veth } = config;
  if (veth !== undefined) {
    const free = (): void => releaseAddress(veth);
    void result.then(free, free);
  }
  return { child, result, kill, stop };
}
