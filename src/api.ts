/** The library API: run a command in new namespaces from Node, with captured output and typed errors. */
import { constants as bufferConstants } from 'node:buffer';
import type { ChildProcess } from 'node:child_process';
import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { formatMessage, invalidValue, NsrunError, oneLine, usageError } from './errors.js';
import { startHelper, type HelperResult, type NetworkBackend, type SandboxReady, type StdioTarget } from './helper.js';
import type { NamespaceName } from './namespaces.js';
import { checkOptionTypes, describe, inApiSpelling, isBoolean, isNumber, isString, SANDBOX_OPTIONS, type OptionRow } from './option-names.js';
import { normalizeOptions, type NsrunOptions } from './options.js';

/** Where one of the command's standard streams goes (see RunOptions.stdio). */
export type StdioOption = StdioTarget;

/** The options of `run` and `spawn`: every sandbox option of `nsrun run`, and how Node talks to the command. */
export interface RunOptions extends NsrunOptions {
  /**
   * Reject with a CommandFailedError when the run fails: the command exits with a status other
   * than 0, dies of a signal, is cancelled or times out, or the sandbox cannot be set up or the
   * command executed. With false the promise resolves with that error, whose `failed` is true. A
   * refused option always rejects (an NsrunError, exit code 2).
   * @default true
   */
  readonly reject?: boolean;
  /**
   * Remove the final newline (`\n` or `\r\n`) of `stdout`, `stderr` and `all`, as execa does.
   * @default true
   */
  readonly stripFinalNewline?: boolean;
  /**
   * Keep stdout and stderr interleaved, as they came, in the result's `all`.
   * @default false
   */
  readonly all?: boolean;
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
   * Stops the sandbox as on `kill('SIGTERM')` when aborted; the result says `isCanceled`. Aborted
   * already, it runs nothing. As with `timeout` and `maxBuffer`, a sandbox without a PID namespace
   * has what its command left in its namespaces killed once the command has ended.
   * @default none
   */
  readonly signal?: AbortSignal;
  /**
   * The most bytes of stdout, and of stderr, kept in the result. A command that writes more is
   * stopped as on `kill('SIGTERM')`; the result says `isMaxBuffer` and keeps the first
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
  /** The file and its arguments, joined by spaces. */
  readonly command: string;
  /** `command` with each argument quoted as a POSIX shell reads it, control characters escaped: for messages and logs. */
  readonly escapedCommand: string;
  /**
   * The command's exit status, or 128+n when it died of signal n (as a shell reports it); when the
   * command never ran, nsrun's: 125 for a sandbox that cannot be set up, 126 or 127 for a command
   * that cannot be executed or found.
   */
  readonly exitCode: number;
  /** The signal the command died of, if it did. */
  readonly signal: NodeJS.Signals | undefined;
  /** The command's stdout, when it was a pipe and `buffer` kept it; else ''. */
  readonly stdout: string;
  /** The command's stderr, when it was a pipe and `buffer` kept it; else ''. */
  readonly stderr: string;
  /** stdout and stderr interleaved as they came, with `all: true`; else undefined. */
  readonly all: string | undefined;
  /** Whether the run failed: a status other than 0, a signal, a cancellation, a timeout, a sandbox not set up. */
  readonly failed: boolean;
  /** The host pid of the sandbox's first process; undefined when the command never ran. */
  readonly pid: number | undefined;
  /** The inode of each namespace the command lived in (its own or the caller's), by type. */
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  readonly timings: NsrunTimings;
  /** Whether `signal` (the AbortSignal) stopped the sandbox. */
  readonly isCanceled: boolean;
  /** Whether `timeout` stopped the sandbox. */
  readonly timedOut: boolean;
  /** Whether the sandbox was stopped for writing more than `maxBuffer` bytes to stdout or stderr. */
  readonly isMaxBuffer: boolean;
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
  /** How the command ended, as `run` resolves or rejects; its `stdout`, `stderr` and `all` are '' unless `buffer` is true. */
  readonly result: Promise<NsrunResult>;
  /**
   * Sends `signal` to the sandbox, as `kill` of the nsrun command does (docs/signals.md): a PID 1
   * without a handler ends with the whole namespace; after SIGTERM, SIGINT, SIGHUP or SIGQUIT the
   * command has `stopTimeout` seconds. Returns whether the signal could be sent.
   * @default signal 'SIGTERM'
   */
  kill(signal?: NodeJS.Signals): boolean;
}

/** What a failure's message says beyond the result: the limits of the run, the stream over maxBuffer, why the command never ran. */
export interface RunFailure {
  readonly timeout: number;
  readonly maxBuffer: number;
  /** The stream that brought more than maxBuffer bytes. */
  readonly stream?: 'stdout' | 'stderr' | undefined;
  /** Why the command never ran: the sandbox could not be set up, or the command not executed. */
  readonly cause?: NsrunError | undefined;
}

/** How the run failed, as the first words of execa's messages say it. */
function failurePrefix(result: NsrunResult, failure: RunFailure): string {
  if (result.timedOut) return `Command timed out after ${failure.timeout} milliseconds`;
  if (result.isCanceled) return 'Command was canceled';
  if (failure.stream !== undefined) return `Command's ${failure.stream} was larger than ${failure.maxBuffer} bytes`;
  if (failure.cause !== undefined) return `Command failed with ${failure.cause.code ?? `exit code ${failure.cause.exitCode}`}`;
  if (result.signal !== undefined) return `Command was killed with ${result.signal}`;
  return `Command failed with exit code ${result.exitCode}`;
}

/** `text` without its final newline, as `stripFinalNewline` removes it. */
const withoutFinalNewline = (text: string): string => text.replace(/\r?\n$/, '');

/**
 * A run that failed (see RunOptions.reject): the command exited with a status other than 0, died
 * of a signal, was cancelled or timed out, or never ran (then `step` is the setup step that
 * failed, and `cause` the NsrunError that says why). It carries the whole result, as execa's
 * ExecaError does; its message is `shortMessage`, then the command's stderr and stdout (or `all`).
 */
export class CommandFailedError extends NsrunError implements NsrunResult {
  override readonly name: string = 'CommandFailedError';
  /** The first line of the message: how the run failed and the escaped command, then why it never ran if it did not. */
  readonly shortMessage: string;
  readonly command: string;
  readonly escapedCommand: string;
  readonly signal: NodeJS.Signals | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly all: string | undefined;
  readonly failed = true;
  readonly pid: number | undefined;
  readonly namespaces: Partial<Record<NamespaceName, number>>;
  readonly timings: NsrunTimings;
  readonly isCanceled: boolean;
  readonly timedOut: boolean;
  readonly isMaxBuffer: boolean;

  constructor(result: NsrunResult, failure: RunFailure) {
    const { cause } = failure;
    const why = cause === undefined ? '' : `\n${formatMessage(cause)}`;
    const shortMessage = `${failurePrefix(result, failure)}: ${result.escapedCommand}${why}`;
    super(shortMessage, {
      step: cause?.step ?? 'command',
      exitCode: result.exitCode,
      syscall: cause?.syscall,
      errno: cause?.errno,
      code: cause?.code,
      detail: cause?.detail,
      hint: cause?.hint,
      cause,
    });
    const output = result.all === undefined ? [result.stderr, result.stdout] : [result.all];
    // each part on lines of its own, control characters escaped, as execa's message
    this.message = [shortMessage, ...output]
      .map((part) => withoutFinalNewline(part).split('\n').map(oneLine).join('\n'))
      .filter((part) => part !== '')
      .join('\n\n');
    this.shortMessage = shortMessage;
    this.command = result.command;
    this.escapedCommand = result.escapedCommand;
    this.signal = result.signal;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.all = result.all;
    this.pid = result.pid;
    this.namespaces = result.namespaces;
    this.timings = result.timings;
    this.isCanceled = result.isCanceled;
    this.timedOut = result.timedOut;
    this.isMaxBuffer = result.isMaxBuffer;
  }
}

/** The command wrote more than `maxBuffer` bytes to a pipe, and was stopped (see RunOptions.maxBuffer). */
export class MaxBufferError extends CommandFailedError {
  override readonly name: string = 'MaxBufferError';
  /** The stream that brought more than `maxBuffer` bytes. */
  readonly stream: 'stdout' | 'stderr';
  /** The limit, in bytes. */
  readonly maxBuffer: number;

  constructor(result: NsrunResult, failure: RunFailure & { readonly stream: 'stdout' | 'stderr' }) {
    super(result, failure);
    this.stream = failure.stream;
    this.maxBuffer = failure.maxBuffer;
  }
}

/** An argument as a POSIX shell would read it back: bare when it is only word characters, `.`, `/` and `-`, else in single quotes; control characters escaped. */
function quoteArgument(arg: string): string {
  const shown = oneLine(arg);
  return /^[\w./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}

/** The result's `command` and `escapedCommand`. */
function commandStrings(command: readonly string[]): { command: string; escapedCommand: string } {
  return { command: command.join(' '), escapedCommand: command.map(quoteArgument).join(' ') };
}

/** Whether a value is a stdio target: 'pipe', 'inherit', 'ignore' or a file descriptor. */
const isTarget = (value: unknown): boolean =>
  value === 'pipe' || value === 'inherit' || value === 'ignore' || (Number.isSafeInteger(value) && Number(value) >= 0);

const TARGET = { cli: [], accepts: "'pipe', 'inherit', 'ignore' or a file descriptor", is: isTarget } as const;

/** Every option of run() and spawn() that is not one of the sandbox; none has a command-line name. */
const NODE_OPTIONS: Readonly<Record<Exclude<keyof RunOptions, keyof NsrunOptions>, OptionRow>> = {
  reject: { cli: [], accepts: 'true or false', is: isBoolean },
  stripFinalNewline: { cli: [], accepts: 'true or false', is: isBoolean },
  all: { cli: [], accepts: 'true or false', is: isBoolean },
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
 * Keeps the first `maxBuffer` bytes of a pipe's output, in `kept` too when given (for `all`), and
 * returns its text; calls `overflow` whenever more comes.
 */
function collect(stream: Readable | null, maxBuffer: number, overflow: () => void, kept?: Buffer[]): () => string {
  if (stream === null) return () => '';
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    const room = maxBuffer - size;
    if (chunk.length > room) overflow();
    const part = chunk.subarray(0, room);
    chunks.push(part);
    kept?.push(part);
    size += part.length;
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

/** A URL of a file as the path it names; a usage error for any other URL. */
function fileOf(url: URL): string {
  try {
    return fileURLToPath(url);
  } catch {
    throw usageError(`invalid command ${describe(url.href)}: expected a file: URL`);
  }
}

/**
 * The command and options of a call in either form: `(file, args?, options?)` or `(file, options?)`,
 * as execa takes them, or `(command, options?)` with the file and its arguments in one array. A
 * string is the file, never split into words: one that holds a space, given without `args`, is a
 * command line meant for a shell, refused with the call that runs it (a URL is a file, whatever it holds).
 */
function commandAndOptions(first: unknown, second: unknown, third: unknown): { command: readonly string[]; options: unknown } {
  if (Array.isArray(first)) {
    if (third !== undefined) throw usageError('invalid arguments: with the command as an array, the options come second');
    return { command: first as readonly string[], options: second === undefined ? {} : second };
  }
  if (typeof first !== 'string' && !(first instanceof URL)) {
    throw usageError(`invalid command ${describe(first)}: expected a file to run, with an array of arguments, or an array of strings`);
  }
  const file = first instanceof URL ? fileOf(first) : first;
  if (Array.isArray(second)) return { command: [file, ...(second as readonly string[])], options: third === undefined ? {} : third };
  if (second !== undefined && (typeof second !== 'object' || second === null || third !== undefined)) {
    throw usageError(`invalid args ${describe(second)}: expected an array of strings`);
  }
  if (typeof first === 'string' && /\s/.test(file.trim())) {
    const [name = '', ...args] = file.trim().split(/\s+/);
    const call = `run(${JSON.stringify(name)}, ${JSON.stringify(args)})`;
    const hint = `${call} runs ${name} with its arguments; run(${JSON.stringify(file)}, []) runs a file of that name`;
    throw usageError(`invalid command ${describe(file)}: a string is the file to run, not split into words`, hint);
  }
  return { command: [file], options: second === undefined ? {} : second };
}

/**
 * Starts a command in new namespaces and returns at once: the helper's process, a promise of the
 * sandbox once it is up, and a promise of the result. The command is `file` and `args`, or one
 * array of both. Throws an NsrunError (exit code 2 or 125) for an option it refuses, before
 * anything is started.
 */
export function spawn(file: string | URL, args?: readonly string[], options?: RunOptions): NsrunSubprocess;
export function spawn(file: string | URL, options?: RunOptions): NsrunSubprocess;
export function spawn(command: readonly string[], options?: RunOptions): NsrunSubprocess;
export function spawn(first: string | URL | readonly string[], second?: readonly string[] | RunOptions, third?: RunOptions): NsrunSubprocess {
  return start(first, second, third, true);
}

/** Milliseconds from `from` to `to`, two readings of process.hrtime.bigint(). */
const msBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

/**
 * spawn(), where `follow` says whether `ready` is to resolve as the sandbox comes up. run() has no
 * use for it: without it the helper's status is read once it has ended, which costs Node less
 * (startHelper), and `ready` never resolves.
 */
function start(first: unknown, second: unknown, third: unknown, follow: boolean): NsrunSubprocess {
  try {
    const { command, options } = commandAndOptions(first, second, third);
    checkOptionTypes(options, RUN_OPTIONS);
    return startChecked(command, options as RunOptions, follow);
  } catch (error) {
    throw inApiSpelling(error);
  }
}

/** start(), which throws usage errors that name options as the command line does. */
function startChecked(command: readonly string[], options: RunOptions, follow: boolean): NsrunSubprocess {
  const started = process.hrtime.bigint();
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
  const interleaved: Buffer[] | undefined = options.all === true && buffer ? [] : undefined;
  const output = (name: 'stdout' | 'stderr'): (() => string) => {
    const stream = child[name];
    if (buffer) {
      return collect(
        stream,
        maxBuffer,
        () => {
          if (stopped !== undefined) return;
          exceeded = name;
          stop('maxBuffer');
        },
        interleaved,
      );
    }
    if (!follow) stream?.resume(); // run() discards it: nobody else can read it
    return () => '';
  };
  const stdout = output('stdout');
  const stderr = output('stderr');
  const strip = (options.stripFinalNewline ?? true) ? withoutFinalNewline : (text: string): string => text;
  const all = (): string | undefined => {
    if (options.all !== true) return undefined;
    return strip(interleaved === undefined ? '' : Buffer.concat(interleaved).toString('utf8'));
  };
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

  const resultOf = (ended: HelperResult, cause: NsrunError | undefined): NsrunResult => ({
    ...commandStrings(config.command),
    exitCode: ended.exitCode,
    signal: ended.signal,
    stdout: strip(stdout()),
    stderr: strip(stderr()),
    all: all(),
    failed: ended.exitCode !== 0 || ended.signal !== undefined || stopped !== undefined || cause !== undefined,
    pid: ended.childPid,
    namespaces: ended.namespaces,
    timings: {
      setupMs: ended.executedAt === undefined ? undefined : msBetween(started, ended.executedAt),
      totalMs: msBetween(started, process.hrtime.bigint()),
    },
    isCanceled: stopped === 'cancelled',
    timedOut: stopped === 'timedOut',
    isMaxBuffer: stopped === 'maxBuffer',
  });
  /** The result of a run that has ended, or the error of one that failed: thrown with `reject`, else returned. */
  const settle = (ended: HelperResult, cause?: NsrunError): NsrunResult => {
    cleanUp();
    const outcome = resultOf(ended, cause);
    if (!outcome.failed) return outcome;
    const failure = { timeout, maxBuffer, cause };
    const error = exceeded === undefined ? new CommandFailedError(outcome, failure) : new MaxBufferError(outcome, { ...failure, stream: exceeded });
    if (options.reject ?? true) throw error;
    return error;
  };
  const result = helper.result.then(
    (ended) => settle(ended),
    (error: unknown) => {
      if (!(error instanceof NsrunError) || error.step === 'usage') {
        cleanUp();
        throw error;
      }
      // the command never ran: nsrun's exit code is the run's
      return settle({ exitCode: error.exitCode, namespaces: {} }, error);
    },
  );

  // Once the sandbox has ended, `ready` can only fail (it resolved already if the command ran).
  helper.result.then((ended) => {
    if (ended.executedAt === undefined) {
      refuse(new NsrunError(`${commandStrings(config.command).escapedCommand} ended before it ran`, { step: 'command', exitCode: ended.exitCode }));
    }
  }, refuse);

  return { child, stdout: child.stdout, stderr: child.stderr, ready, result, kill: helper.kill };
}

/**
 * Runs a command in new namespaces and resolves with how it ended, its output captured as strings.
 * The command is `file` and `args`, or one array of both. Rejects with an NsrunError (exit code 2)
 * when an option is refused, and with a CommandFailedError (an NsrunError carrying the result)
 * when the run fails and `reject` is true.
 */
export async function run(file: string | URL, args?: readonly string[], options?: RunOptions): Promise<NsrunResult>;
export async function run(file: string | URL, options?: RunOptions): Promise<NsrunResult>;
export async function run(command: readonly string[], options?: RunOptions): Promise<NsrunResult>;
export async function run(first: string | URL | readonly string[], second?: readonly string[] | RunOptions, third?: RunOptions): Promise<NsrunResult> {
  return start(first, second, third, false).result;
}
