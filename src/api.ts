/** The library API: run a command in new namespaces from Node, with captured output and typed errors. */
import { constants as bufferConstants } from 'node:buffer';
import type { ChildProcess } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { invalidValue, NsrunError, usageError } from './errors.js';
import { startHelper, type HelperResult, type NetworkBackend, type SandboxReady, type StdioTarget } from './helper.js';
import type { NamespaceName } from './namespaces.js';
import { checkOptionTypes, inApiSpelling, isBoolean, isNumber, isString, SANDBOX_OPTIONS, type OptionRow } from './option-names.js';
import { normalizeOptions, type NsrunOptions } from './options.js';

/** Where one of the command's standard streams goes (see RunOptions.stdio). */
export type StdioOption = StdioTarget;

/** The options of `run` and `spawn`: every sandbox option of `nsrun run`, and how Node talks to the command. */
export interface RunOptions extends NsrunOptions {
  /**
   * Reject with a CommandFailedError when the command exits with a status other than 0, dies of a
   * signal, is cancelled or times out. A sandbox that cannot be set up, or a command that cannot be
   * executed, always rejects (with an NsrunError).
   * @default true
   */
  readonly reject?: boolean;
  /**
   * The command's stdin, stdout and stderr at once: one value for all three, or a triple. `pipe`
   * captures stdout and stderr as the result's strings.
   * @default ['ignore', 'pipe', 'pipe'] (stdin is a pipe when `input` is given)
   */
  readonly stdio?: StdioOption | readonly [StdioOption, StdioOption, StdioOption];
  /**
   * The command's stdin; overrides `stdio`. With `pipe`, write to `spawn(...).child.stdin`.
   * @default 'ignore' (/dev/null), or 'pipe' when `input` is given
   */
  readonly stdin?: StdioOption;
  /**
   * The command's stdout; overrides `stdio`.
   * @default 'pipe' (captured as `result.stdout`)
   */
  readonly stdout?: StdioOption;
  /**
   * The command's stderr; overrides `stdio`.
   * @default 'pipe' (captured as `result.stderr`)
   */
  readonly stderr?: StdioOption;
  /**
   * Written to the command's stdin, which is then closed.
   * @default none
   */
  readonly input?: string | Uint8Array;
  /**
   * Milliseconds after which the sandbox is stopped as on `kill('SIGTERM')`; the result says `timedOut`.
   * @default 0 (no limit)
   */
  readonly timeout?: number;
  /**
   * Stops the sandbox as on `kill('SIGTERM')` when aborted; the result says `cancelled`. Aborted
   * already, it runs nothing. As with `timeout` and `maxBuffer`, a sandbox without a PID namespace
   * has what its command left in its namespaces killed once the command has ended.
   * @default none
   */
  readonly signal?: AbortSignal;
  /**
   * The most bytes of stdout, and of stderr, kept in the result. A command that writes more is
   * stopped as on `kill('SIGTERM')`; the result says `maxBufferExceeded` and keeps the first
   * `maxBuffer` bytes, and with `reject` the promise rejects with a MaxBufferError.
   * @default 100_000_000
   */
  readonly maxBuffer?: number;
  /**
   * Keep the output of `pipe` streams as the result's `stdout` and `stderr`. Without it run()
   * discards the output and spawn() leaves its streams to the caller, who must read them (a
   * command that fills a pipe nobody reads waits).
   * @default true for run(), false for spawn()
   */
  readonly buffer?: boolean;
}

/** The default of `maxBuffer`, execa's. */
const DEFAULT_MAX_BUFFER = 100_000_000;

/** Timings of one run, in milliseconds. */
export interface NsrunTimings {
  /** From the call until the command was executed in its namespaces; undefined when it never was. */
  readonly setupMs: number | undefined;
  /** From the call until the sandbox had ended. */
  readonly totalMs: number;
}

/** How a sandboxed command ended. */
export interface NsrunResult {
  /** The command and its arguments. */
  readonly command: readonly string[];
  /** The command's exit status, or 128+n when it died of signal n (as a shell reports it). */
  readonly exitCode: number;
  /** The signal the command died of, if it did. */
  readonly signal: NodeJS.Signals | undefined;
  /** The command's stdout, when it was a pipe; else ''. */
  readonly stdout: string;
  /** The command's stderr, when it was a pipe; else ''. */
  readonly stderr: string;
  /** The host pid of the sandbox's first process; undefined when the sandbox was stopped before the command ran. */
  readonly pid: number | undefined;
  /** The inode of each namespace the command lived in (its own or the caller's), by type. */
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  readonly timings: NsrunTimings;
  /** Whether `signal` (the AbortSignal) stopped the sandbox. */
  readonly cancelled: boolean;
  /** Whether `timeout` stopped the sandbox. */
  readonly timedOut: boolean;
  /** Whether the sandbox was stopped for writing more than `maxBuffer` bytes to stdout or stderr. */
  readonly maxBufferExceeded: boolean;
}

/** The sandbox of a spawned command, once the command runs. */
export interface NsrunSandbox {
  /** The host pid of the sandbox's first process. */
  readonly pid: number;
  /** The inode of each namespace the command lives in, by type. */
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  /** The backend that connects the sandbox's network (`network` pasta, slirp4netns or auto), and its host pid. */
  readonly network: NetworkBackend | undefined;
}

/** A command started with `spawn`. */
export interface NsrunSubprocess {
  /** The helper's process (nsrun-helper); its stdin, stdout and stderr are the command's pipes. */
  readonly child: ChildProcess;
  /** The command's stdout when it is a pipe (the result keeps it too with `buffer: true`). */
  readonly stdout: Readable | null;
  /** The command's stderr when it is a pipe (the result keeps it too with `buffer: true`). */
  readonly stderr: Readable | null;
  /** Resolves once the command runs; rejects when the sandbox cannot be set up or ends first. */
  readonly ready: Promise<NsrunSandbox>;
  /** How the command ended, as `run` resolves or rejects; its `stdout` and `stderr` are '' unless `buffer` is true. */
  readonly result: Promise<NsrunResult>;
  /**
   * Sends `signal` to the sandbox, as `kill` of the nsrun command does (docs/signals.md): a PID 1
   * without a handler ends with the whole namespace; after SIGTERM, SIGINT, SIGHUP or SIGQUIT the
   * command has `stopTimeout` seconds. Returns whether the signal could be sent.
   * @default signal 'SIGTERM'
   */
  kill(signal?: NodeJS.Signals): boolean;
}

/** The command ended in a way `reject: true` refuses: a status other than 0, a signal, a cancellation or a timeout. */
export class CommandFailedError extends NsrunError {
  override readonly name: string = 'CommandFailedError';
  /** The whole result: status, signal, output, namespaces. */
  readonly result: NsrunResult;

  constructor(result: NsrunResult, timeout: number, ending: string = howItEnded(result, timeout)) {
    super(`${showCommand(result.command)} ${ending}`, { step: 'command', exitCode: result.exitCode });
    this.result = result;
  }
}

/** The command wrote more than `maxBuffer` bytes to a pipe, and was stopped (see RunOptions.maxBuffer). */
export class MaxBufferError extends CommandFailedError {
  override readonly name: string = 'MaxBufferError';
  /** The stream that brought more than `maxBuffer` bytes. */
  readonly stream: 'stdout' | 'stderr';
  /** The limit, in bytes. */
  readonly maxBuffer: number;

  constructor(result: NsrunResult, stream: 'stdout' | 'stderr', maxBuffer: number) {
    super(result, 0, `wrote more than ${maxBuffer} bytes to ${stream} (maxBuffer) and was stopped`);
    this.stream = stream;
    this.maxBuffer = maxBuffer;
  }
}

/** A command as a message shows it. */
function showCommand(command: readonly string[]): string {
  const shown = command.join(' ');
  return `'${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}'`;
}

function howItEnded(result: NsrunResult, timeout: number): string {
  if (result.timedOut) return `timed out after ${timeout} ms`;
  if (result.cancelled) return 'was cancelled';
  if (result.signal !== undefined) return `died of signal ${result.signal}`;
  return `exited with status ${result.exitCode}`;
}

/** Whether a value is a stdio target: 'pipe', 'inherit', 'ignore' or a file descriptor. */
const isTarget = (value: unknown): boolean =>
  value === 'pipe' || value === 'inherit' || value === 'ignore' || (Number.isSafeInteger(value) && Number(value) >= 0);

const TARGET = { cli: [], accepts: "'pipe', 'inherit', 'ignore' or a file descriptor", is: isTarget } as const;

/** Every option of run() and spawn() that is not one of the sandbox; none has a command-line name. */
const NODE_OPTIONS: Readonly<Record<Exclude<keyof RunOptions, keyof NsrunOptions>, OptionRow>> = {
  reject: { cli: [], accepts: 'true or false', is: isBoolean },
  stdio: {
    cli: [],
    accepts: "'pipe', 'inherit', 'ignore', a file descriptor, or an array of three of them",
    is: (v) => isTarget(v) || (Array.isArray(v) && v.length === 3 && v.every(isTarget)),
  },
  stdin: TARGET,
  stdout: TARGET,
  stderr: TARGET,
  input: { cli: [], accepts: 'a string or a Uint8Array', is: (v) => isString(v) || v instanceof Uint8Array },
  timeout: { cli: [], accepts: 'a number of milliseconds', is: isNumber },
  signal: { cli: [], accepts: 'an AbortSignal', is: (v) => v instanceof AbortSignal },
  maxBuffer: { cli: [], accepts: 'a number of bytes', is: isNumber },
  buffer: { cli: [], accepts: 'true or false', is: isBoolean },
};

/** Every option of run() and spawn(), by name. */
const RUN_OPTIONS: Readonly<Record<keyof RunOptions, OptionRow>> = { ...SANDBOX_OPTIONS, ...NODE_OPTIONS };

/** Refuses a file descriptor that is not open, which spawning would find only as EBADF. */
function checkOpen(option: string, target: StdioTarget | undefined): void {
  if (typeof target !== 'number') return;
  try {
    fstatSync(target);
  } catch {
    throw invalidValue(option, target, `file descriptor ${target} is not open`);
  }
}

/** The three stdio targets the options ask for. */
function stdioOf(options: RunOptions): [StdioTarget, StdioTarget, StdioTarget] {
  for (const target of typeof options.stdio === 'object' ? options.stdio : [options.stdio]) checkOpen('stdio', target);
  for (const option of ['stdin', 'stdout', 'stderr'] as const) checkOpen(option, options[option]);
  const all = options.stdio;
  const [stdin, stdout, stderr]: readonly (StdioTarget | undefined)[] =
    all === undefined ? [undefined, 'pipe', 'pipe'] : typeof all === 'object' ? all : [all, all, all];
  return [
    options.stdin ?? stdin ?? (options.input === undefined ? 'ignore' : 'pipe'),
    options.stdout ?? stdout ?? 'pipe',
    options.stderr ?? stderr ?? 'pipe',
  ];
}

/**
 * Keeps the first `maxBuffer` bytes of a pipe's output, and returns its text; calls `overflow`
 * whenever more comes.
 */
function collect(stream: Readable | null, maxBuffer: number, overflow: () => void): () => string {
  if (stream === null) return () => '';
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    const room = maxBuffer - size;
    if (chunk.length > room) overflow();
    const kept = chunk.subarray(0, room);
    chunks.push(kept);
    size += kept.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Validates `maxBuffer`: bytes from 1 to the longest string Node can make, which the output becomes. */
function validateMaxBuffer(maxBuffer: number | undefined): number {
  if (maxBuffer === undefined) return DEFAULT_MAX_BUFFER;
  const most = bufferConstants.MAX_STRING_LENGTH;
  if (!Number.isSafeInteger(maxBuffer) || maxBuffer < 1 || maxBuffer > most) {
    throw invalidValue('maxBuffer', maxBuffer, `expected an integer of bytes from 1 to ${most}`);
  }
  return maxBuffer;
}

/** Validates `timeout`: a non-negative integer of milliseconds. */
function validateTimeout(timeout: number | undefined): number {
  if (timeout === undefined) return 0;
  if (!Number.isSafeInteger(timeout) || timeout < 0) throw invalidValue('timeout', timeout, 'expected a non-negative integer of milliseconds');
  return timeout;
}

/**
 * Starts `command` in new namespaces and returns at once: the helper's process, a promise of the
 * sandbox once it is up, and a promise of the result. Throws an NsrunError (exit code 2 or 125)
 * for an option it refuses, before anything is started.
 */
export function spawn(command: readonly string[], options: RunOptions = {}): NsrunSubprocess {
  return start(command, options, true);
}

/** Milliseconds from `from` to `to`, two readings of process.hrtime.bigint(). */
const msBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

/**
 * spawn(), where `follow` says whether `ready` is to resolve as the sandbox comes up. run() has no
 * use for it: without it the helper's status is read once it has ended, which costs Node less
 * (startHelper), and `ready` never resolves.
 */
function start(command: readonly string[], options: RunOptions, follow: boolean): NsrunSubprocess {
  try {
    return startChecked(command, options, follow);
  } catch (error) {
    throw inApiSpelling(error);
  }
}

/** start(), which throws usage errors that name options as the command line does. */
function startChecked(command: readonly string[], options: RunOptions, follow: boolean): NsrunSubprocess {
  const started = process.hrtime.bigint();
  if (!Array.isArray(command)) throw usageError('invalid command: expected an array of strings');
  checkOptionTypes(options, RUN_OPTIONS);
  const config = normalizeOptions(command, options);
  const timeout = validateTimeout(options.timeout);
  const maxBuffer = validateMaxBuffer(options.maxBuffer);
  const buffer = options.buffer ?? !follow;
  const stdio = stdioOf(options);
  if (options.input !== undefined && stdio[0] !== 'pipe') {
    throw usageError(`input needs stdin 'pipe', not ${JSON.stringify(stdio[0])}`);
  }
  let announce: (sandbox: NsrunSandbox) => void = () => undefined;
  let refuse: (error: unknown) => void = () => undefined;
  const ready = new Promise<NsrunSandbox>((resolve, reject) => {
    announce = resolve;
    refuse = reject;
  });
  // `ready` is there to be awaited when needed; a rejection nobody awaits is not an error of its own.
  ready.catch(() => undefined);
  const abortSignal = options.signal;
  const helper = startHelper(config, {
    stdio,
    relaySignals: false,
    // aborted already: the helper is ended before it can start the command
    withhold: abortSignal?.aborted === true,
    onReady: follow ? (sandbox: SandboxReady) => announce({ pid: sandbox.childPid, namespaces: sandbox.namespaces, network: sandbox.network }) : undefined,
  });
  const { child } = helper;
  let stopped: 'cancelled' | 'timedOut' | 'maxBuffer' | undefined;
  const stop = (why: NonNullable<typeof stopped>): void => {
    if (stopped !== undefined) return;
    stopped = why;
    helper.stop();
  };
  let exceeded: 'stdout' | 'stderr' | undefined;
  const output = (name: 'stdout' | 'stderr'): (() => string) => {
    const stream = child[name];
    if (buffer) {
      return collect(stream, maxBuffer, () => {
        if (stopped !== undefined) return;
        exceeded = name;
        stop('maxBuffer');
      });
    }
    if (!follow) stream?.resume(); // run() discards it: nobody else can read it
    return () => '';
  };
  const stdout = output('stdout');
  const stderr = output('stderr');
  if (options.input !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => undefined); // a command that does not read its stdin closes it
    child.stdin.end(options.input);
  }

  const onAbort = (): void => stop('cancelled');
  if (abortSignal?.aborted === true) onAbort();
  else abortSignal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeout > 0 ? setTimeout(() => stop('timedOut'), timeout) : undefined;
  const cleanUp = (): void => {
    clearTimeout(timer);
    abortSignal?.removeEventListener('abort', onAbort);
  };

  const resultOf = (ended: HelperResult): NsrunResult => ({
    command: config.command,
    exitCode: ended.exitCode,
    signal: ended.signal,
    stdout: stdout(),
    stderr: stderr(),
    pid: ended.childPid,
    namespaces: ended.namespaces,
    timings: {
      setupMs: ended.executedAt === undefined ? undefined : msBetween(started, ended.executedAt),
      totalMs: msBetween(started, process.hrtime.bigint()),
    },
    cancelled: stopped === 'cancelled',
    timedOut: stopped === 'timedOut',
    maxBufferExceeded: stopped === 'maxBuffer',
  });
  const result = helper.result.then(
    (ended) => {
      cleanUp();
      const outcome = resultOf(ended);
      const failed = outcome.exitCode !== 0 || outcome.signal !== undefined || stopped !== undefined;
      if (failed && (options.reject ?? true)) {
        throw exceeded === undefined ? new CommandFailedError(outcome, timeout) : new MaxBufferError(outcome, exceeded, maxBuffer);
      }
      return outcome;
    },
    (error: unknown) => {
      cleanUp();
      throw error;
    },
  );

  // Once the sandbox has ended, `ready` can only fail (it resolved already if the command ran).
  helper.result.then((ended) => {
    if (ended.executedAt === undefined) {
      refuse(new NsrunError(`${showCommand(config.command)} ended before it ran`, { step: 'command', exitCode: ended.exitCode }));
    }
  }, refuse);

  return { child, stdout: child.stdout, stderr: child.stderr, ready, result, kill: helper.kill };
}

/**
 * Runs `command` in new namespaces and resolves with how it ended, its output captured as strings.
 * Rejects with an NsrunError when an option is refused or the sandbox cannot be set up, and with a
 * CommandFailedError (an NsrunError carrying the result) when the command fails and `reject` is true.
 */
export async function run(command: readonly string[], options: RunOptions = {}): Promise<NsrunResult> {
  return start(command, options, false).result;
}
