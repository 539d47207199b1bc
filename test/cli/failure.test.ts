import { describe, expect, it } from 'vitest';
import { usageError } from '../../src/errors.js';
import { asNsrunError } from '../../src/cli/failure.js';

/** A system error as Node raises it. */
function systemError(message: string, members: Readonly<Record<string, unknown>>): Error {
  return Object.assign(new Error(message), members);
}

describe('asNsrunError', () => {
  it('keeps an NsrunError', () => {
    const error = usageError('bad');
    expect(asNsrunError(error)).toBe(error);
  });

  it.each([
    [
      systemError('ENOENT: no such file or directory, uv_cwd', { code: 'ENOENT', errno: -2, syscall: 'uv_cwd' }),
      'cannot read the working directory: it was removed',
      'cd to a directory that exists',
    ],
    [
      systemError('spawn /h EMFILE', { code: 'EMFILE', errno: -24, syscall: 'spawn /h', path: '/h' }),
      'spawn /h: too many open files',
      'nsrun needs a few more file descriptors: raise the limit, ulimit -n',
    ],
    [
      systemError("EACCES: permission denied, open '/x'", { code: 'EACCES', errno: -13, syscall: 'open', path: '/x' }),
      'open /x: permission denied',
      undefined,
    ],
    [
      systemError('Command failed: umount /n\numount: /n: target is busy.\n', { code: 32, cmd: 'umount /n', stderr: 'umount: /n: target is busy.\n' }),
      'umount: /n: target is busy.',
      undefined,
    ],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), "internal error: Cannot read properties of undefined (reading 'x')", undefined],
    ['two\nlines\x1b[2J', 'internal error: two: lines\\x1b[2J', undefined],
  ])('turns %s into one line, exit 125', (error, message, hint) => {
    expect(asNsrunError(error)).toMatchObject({ message, hint, exitCode: 125, step: 'helper' });
  });
});
