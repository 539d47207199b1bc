/** `nsrun run --status-fd N|-`: the helper's JSON Lines status stream, written by nsrun (docs/contract.md). */
import { constants as fsConstants, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { invalidValue, NsrunError, usageError } from '../errors.js';
import type { HelperResult, SandboxReady } from '../helper.js';
import { osConstants } from '../system.js';

/** Where status lines go, and what is written there as the run goes on. */
export interface StatusStream {
  /** `{"child-pid":…,"namespaces":{…}}` once the command runs. */
  readonly ready: (sandbox: SandboxReady) => void;
  /** `{"exit-code":…}`, with `"signal":n` after a death by signal. */
  readonly ended: (result: HelperResult) => void;
  /** `{"error":{…}}` when nsrun fails. */
  readonly failed: (error: unknown) => void;
}

/** The access mode bits of fdinfo's `flags` (asm-generic/fcntl.h). */
const O_ACCMODE = 0o3;

/** Reads a `--status-fd` value: a file descriptor number, or `-` for stderr. */
export function parseStatusFd(value: string): number {
  if (value === '-') return 2;
  const fd = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(fd)) throw invalidValue('--status-fd', value, 'expected a file descriptor number, or - for stderr');
  return fd;
}

/** The file status flags of an open fd, from /proc/self/fdinfo. */
function fdFlags(fd: number): number {
  const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
  return flags === undefined ? 0 : Number.parseInt(flags, 8);
}

/** The fds of this process by what they point to, such as `pipe:[1234]`. */
function openFds(): Map<number, string> {
  const fds = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      fds.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd readdir itself used, closed since
    }
  }
  return fds;
}

/**
 * Checks that `fd` was given to nsrun open for writing. Node's own descriptors are refused: its
 * event loop's anonymous inodes, and its internal pipes, whose both ends it holds.
 */
function checkWritable(fd: number): void {
  const refuse = (why: string): NsrunError => usageError(`--status-fd ${fd}: file descriptor ${fd} ${why}`, 'open it in the shell, e.g. 3>status.jsonl');
  const fds = openFds();
  const target = fds.get(fd);
  if (target === undefined) throw refuse('is not open');
  const mode = fdFlags(fd) & O_ACCMODE;
  const otherEnd = [...fds].some(([other, same]) => same === target && (fdFlags(other) & O_ACCMODE) !== mode);
  if (target.startsWith('anon_inode:') || (target.startsWith('pipe:') && otherEnd)) throw refuse('was not passed to nsrun');
  if (mode === fsConstants.O_RDONLY) throw refuse('is not open for writing');
}

/** Writes one line; a reader that went away loses nothing it needs, as with the helper. */
function writeLine(fd: number, record: object): void {
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  } catch {
    // EPIPE or EBADF: the status reader is gone; the command's own outcome is unchanged
  }
}

/** The error record of the contract, with the message nsrun prints (readers ignore what they do not know). */
function errorRecord(error: unknown): object {
  if (!(error instanceof NsrunError)) return { step: 'helper', 'exit-code': 125, message: String(error) };
  return {
    step: error.step,
    syscall: error.syscall,
    errno: error.errno,
    detail: error.detail,
    'exit-code': error.exitCode,
    message: error.message,
    hint: error.hint,
  };
}

/** The status stream on `fd`, checked to be open for writing; none without an fd. */
export function openStatusStream(fd: number | undefined): StatusStream | undefined {
  if (fd === undefined) return undefined;
  checkWritable(fd);
  return {
    ready: (sandbox) =>
      writeLine(fd, { 'child-pid': sandbox.childPid, namespaces: sandbox.namespaces, ...(sandbox.network === undefined ? {} : { network: sandbox.network }) }),
    ended: (result) =>
      writeLine(fd, result.signal === undefined ? { 'exit-code': result.exitCode } : { 'exit-code': result.exitCode, signal: osConstants().signals[result.signal] }),
    failed: (error) => writeLine(fd, { error: errorRecord(error) }),
  };
}
