/**
 * What `nsrun -- cmd` needs to run the helper where node hands its process over (process.execve),
 * and nothing more, so that it loads no stream, socket or child process module: the helper's
 * path, its config document, and the handover itself. Spawning the helper is src/helper.ts.
 */
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { HelperConfig } from './config.js';
import { EXIT, NsrunError } from './errors.js';
import { packagePath } from './paths.js';

/** The variable in which bin/nsrun hands node the caller's SigIgn mask, which node resets as it starts. */
const CALLER_SIGIGN_VARIABLE = 'NSRUN_CALLER_SIGIGN';

/** The signals this process's caller ignores (numbers), when bin/nsrun told them; the command ignores them too. */
let callerIgnoredSignals: readonly number[] | undefined;

/**
 * Takes the caller's ignored signals from `env` (the hexadecimal SigIgn of /proc/self/status,
 * read by bin/nsrun before it executed node) and removes the variable, which is no one else's.
 * Without it, as for a library, the config says nothing and the command ignores nothing.
 */
export function inheritIgnoredSignals(env: Record<string, string | undefined>): void {
  const mask = env[CALLER_SIGIGN_VARIABLE];
  delete env[CALLER_SIGIGN_VARIABLE];
  if (mask === undefined || !/^[0-9a-f]{1,16}$/i.test(mask)) return;
  const bits = BigInt(`0x${mask}`);
  callerIgnoredSignals = Array.from({ length: 64 }, (_, i) => i + 1).filter((n) => ((bits >> BigInt(n - 1)) & 1n) === 1n);
}

/** The variable of the helper's environment that carries a config that fits in it. */
export const CONFIG_VARIABLE = 'NSRUN_CONFIG';

/**
 * The largest config that travels in the helper's environment. Linux lets execve pass at least
 * 128 KiB of arguments and environment whatever the stack limit, and strings of up to 128 KiB,
 * so 64 KiB always fits; a larger config goes on the socket.
 */
export const INLINE_CONFIG_BYTES = 64 * 1024;

/** The helper executable: `$NSRUN_HELPER`, else `libexec/nsrun-helper` in the package. */
export function helperPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env['NSRUN_HELPER'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : packagePath('libexec/nsrun-helper');
}

/**
 * How to get a working helper, one clause without parentheses: point NSRUN_HELPER elsewhere when it
 * names the helper; `make` in a source tree; `npm rebuild` where npm installed the package (which
 * ships the helper's sources), `-g` for a global install; `make -C helper` for a package unpacked by
 * hand; else a reinstall (`make install` leaves no sources).
 */
export function helperHint(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env['NSRUN_HELPER'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return `NSRUN_HELPER names it: point it at a built helper, or unset it to use ${packagePath('libexec/nsrun-helper')}`;
  }
  const has = (path: string): boolean => existsSync(packagePath(path));
  if (has('Makefile')) return 'run `make`';
  if (!has('helper/Makefile')) return 'reinstall nsrun';
  const root = packagePath('.');
  const project = dirname(dirname(root));
  const needs = 'building the helper needs gcc and make';
  if (basename(dirname(root)) !== 'node_modules') return `run \`make -C ${join(root, 'helper')} OUT=../libexec\`; ${needs}`;
  // a global install lives in PREFIX/lib/node_modules, where lib is no npm project
  if (basename(project) === 'lib' && !existsSync(join(project, 'package.json'))) return `run \`npm rebuild -g nsrun\`; ${needs}`;
  return `run \`npm rebuild nsrun\` in ${project}; ${needs}`;
}

/** Why execve(2) refuses a file itself, as against a failure of the caller's (EMFILE, ENOMEM...). */
const NOT_EXECUTABLE = ['ENOENT', 'EACCES', 'EPERM', 'ENOEXEC', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ETXTBSY', 'ENAMETOOLONG'];

/**
 * The error of a helper that could not be started: missing, or not executable. A failure that
 * is not the file's (no fd left for its pipes, say) is passed on as it is, told as node's.
 */
export function helperNotStarted(helper: string, error: NodeJS.ErrnoException): NsrunError | NodeJS.ErrnoException {
  if (error.code !== undefined && !NOT_EXECUTABLE.includes(error.code)) return error;
  return new NsrunError(`helper ${helper} ${error.code === 'ENOENT' ? 'is missing' : 'cannot be executed'}`, {
    step: 'helper',
    exitCode: EXIT.setup,
    syscall: error.syscall,
    errno: error.errno === undefined ? undefined : -error.errno,
    code: error.code,
    detail: helper,
    hint: helperHint(),
    cause: error,
  });
}

/** The config document the helper reads: `config` with the signals the caller ignores. */
export function helperDocument(config: HelperConfig): string {
  const ignored = config['ignored-signals'] ?? callerIgnoredSignals;
  return JSON.stringify({ ...config, ...(ignored === undefined || ignored.length === 0 ? {} : { 'ignored-signals': ignored }) });
}

/**
 * The event of `process` by which bin/nsrun learns that the run path has run, and writes its code
 * cache (when it has none that V8 took): with `true` where node hands its process over next and
 * never exits, so at once; with `false` where node spawns the helper, so as node exits.
 */
const RUN_EVENT = 'nsrun-run';

/** process.execve (Node ≥ 22.15), which Node 20's types do not know. */
type Execve = (file: string, args: readonly string[], env: Readonly<Record<string, string>>) => never;

/**
 * Replaces this process with the helper, running `config`, where Node can (process.execve): the
 * helper is then what the shell waits for, with nothing of Node left (docs/contract.md). A failed
 * setup is told by nsrun all the same: the helper executes this node and script again with the
 * failure (`explain`), which print its message (src/cli/explain.ts). Returns, having done nothing,
 * where the helper must be spawned instead: Node without execve (20); a config too large for the
 * helper's environment; fds beyond 0, 1 and 2 to pass on (`preserve-fds`), which node marks
 * close-on-exec as it starts, so that only a child it spawns can get them. Throws when the
 * helper is missing.
 */
export function handOver(config: HelperConfig): void {
  const execve = (process as { execve?: Execve }).execve;
  const script = process.argv[1];
  const document = execve === undefined || script === undefined || (config['preserve-fds'] ?? 0) > 0 ? undefined : helperDocument({ ...config, explain: [process.execPath, script] });
  const handing = document !== undefined && Buffer.byteLength(document) <= INLINE_CONFIG_BYTES;
  (process as NodeJS.EventEmitter).emit(RUN_EVENT, handing);
  if (execve === undefined || !handing) return;
  const helper = helperPath();
  try {
    // a failed execve aborts node: whether it can succeed is asked first
    accessSync(helper, fsConstants.X_OK);
  } catch (error) {
    throw helperNotStarted(helper, error as NodeJS.ErrnoException);
  }
  execve.call(process, helper, [helper, '--config-env', CONFIG_VARIABLE], { [CONFIG_VARIABLE]: document });
}
