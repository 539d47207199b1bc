/** Any failure as the one line nsrun prints and the exit code it documents, whatever threw it. */
import { getSystemErrorMap } from 'node:util';
import { EXIT, NsrunError } from '../errors.js';
import { escapeText } from './escape.js';

/** A member of a thrown value, if it is a string (Node's system errors carry `code`, `syscall`, `path`). */
function stringMember(error: unknown, key: string): string | undefined {
  const value = typeof error === 'object' && error !== null ? (error as Readonly<Record<string, unknown>>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Whether `error` is a write to a pipe whose reader has gone (`nsrun ls | head -1`), which ends nsrun as SIGPIPE ends lsns. */
export function readerGone(error: unknown): boolean {
  return stringMember(error, 'code') === 'EPIPE' && stringMember(error, 'syscall') === 'write';
}

/** A setup error (exit 125) with `message` on one line. */
function setupError(message: string, cause: unknown, hint?: string): NsrunError {
  return new NsrunError(escapeText(message.trim().split(/\s*\n\s*/).join(': ')), { step: 'helper', exitCode: EXIT.setup, hint, cause });
}

/**
 * The NsrunError for `error`: itself when it is one; for a system call Node made, the call and
 * why it failed (a working directory removed, no file descriptor left); for a program nsrun ran,
 * what it said; for anything else, its message as an internal error. Always one line, exit 125.
 */
export function asNsrunError(error: unknown): NsrunError {
  if (error instanceof NsrunError) return error;
  const code = stringMember(error, 'code');
  const syscall = stringMember(error, 'syscall');
  const errno = typeof error === 'object' && error !== null ? (error as { errno?: unknown }).errno : undefined;
  if (syscall === 'uv_cwd') return setupError('cannot read the working directory: it was removed', error, 'cd to a directory that exists');
  if (syscall !== undefined && code !== undefined) {
    const why = (typeof errno === 'number' ? getSystemErrorMap().get(errno)?.[1] : undefined) ?? code;
    const path = stringMember(error, 'path');
    const what = path === undefined || syscall.includes(path) ? syscall : `${syscall} ${path}`;
    const hint = code === 'EMFILE' || code === 'ENFILE' ? 'nsrun needs a few more file descriptors: raise the limit, ulimit -n' : undefined;
    return setupError(`${what}: ${why}`, error, hint);
  }
  const command = stringMember(error, 'cmd');
  if (command !== undefined) return setupError(stringMember(error, 'stderr') ?? `${command} failed`, error);
  return setupError(`internal error: ${error instanceof Error ? error.message : String(error)}`, error);
}
