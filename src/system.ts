/** The facts nsrun reads from the running system, gathered in one place so tests can replace them. */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';

/** What option normalisation and error hints need to know about the caller and its system. */
export interface SystemContext {
  /** The effective uid of the caller. */
  readonly euid: number;
  /** The effective gid of the caller. */
  readonly egid: number;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /** The environment the command starts from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The text of a small file (/etc/subuid, a sysctl), or undefined when it cannot be read. */
  readonly readFile: (path: string) => string | undefined;
  /** Whether `path` is a regular file the caller may execute. */
  readonly isExecutable: (path: string) => boolean;
}

function readFileOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The system's signal and error numbers. node:os is loaded when they are first asked for, which
 * a command that runs and exits never needs: it would cost every start.
 */
export function osConstants(): typeof import('node:os').constants {
  return process.getBuiltinModule('node:os').constants;
}

/** The context of the running process. */
export function processContext(): SystemContext {
  if (process.geteuid === undefined || process.getegid === undefined) throw new Error('nsrun runs on Linux only');
  return {
    euid: process.geteuid(),
    egid: process.getegid(),
    cwd: process.cwd(),
    env: process.env,
    readFile: readFileOrUndefined,
    isExecutable: isExecutableFile,
  };
}
