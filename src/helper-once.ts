/** Runs the helper for a one-shot job (a kept sandbox's holder, namespace queries) and collects its status lines. */
import type { Readable, Writable } from 'node:stream';
import { helperNotStarted, helperPath } from './handover.js';

/** What the helper said and how it ended. */
export interface HelperOutput {
  /** Each JSON object of the status stream, in order. */
  readonly lines: readonly Readonly<Record<string, unknown>>[];
  readonly exitCode: number | null;
}

function parseLine(text: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The fd on which a kept sandbox's holder waits to be committed (`commit-fd`). */
export const COMMIT_FD = 3;

/**
 * Runs the helper with `document` on its stdin (`--config-fd 0`) and the status stream on its
 * stdout; the helper gets no terminal and no environment (a holder it leaves behind would show
 * nsrun's at /proc/1/environ to the sandbox), and dies with this process while it runs. With
 * `commit`, fd 3 is a pipe whose other end this process keeps: `commit` gets the first status
 * line with a `child-pid` as soon as it comes (a holder waiting on `commit-fd` 3), and once it
 * has returned a byte there lets the holder go; if it throws, the pipe is closed and the holder
 * ends, and the promise rejects with what it threw. Without `commit`, fd 3 is `fd` when given.
 * child_process is loaded here, when first needed: `nsrun -- cmd` imports this module (through
 * src/keep.ts) and never calls it.
 */
export function runHelperOnce(
  document: object,
  helper: string = helperPath(),
  commit?: (line: Readonly<Record<string, unknown>>) => void,
  fd?: number,
): Promise<HelperOutput> {
  const text = JSON.stringify({ ...document, 'parent-pid': process.pid });
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(helper, ['--config-fd', '0', '--status-fd', '1'], { stdio: ['pipe', 'pipe', 'ignore', commit === undefined ? (fd ?? 'ignore') : 'pipe'], env: {} });
    // each 'pipe' of stdio is there: spawn throws rather than start the helper without one
    const [stdin, stdout] = [child.stdin as Writable, child.stdout as Readable];
    const pipe = child.stdio[COMMIT_FD] as Writable | null;
    let out = '';
    let committed = commit === undefined;
    let failure: unknown;
    const lines = (): Readonly<Record<string, unknown>>[] =>
      out.split('\n').flatMap((line) => {
        const parsed = line === '' ? undefined : parseLine(line);
        return parsed === undefined ? [] : [parsed];
      });
    pipe?.on('error', () => undefined);
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      out += chunk;
      const ready = committed ? undefined : lines().find((line) => Number.isInteger(line['child-pid']));
      if (ready === undefined || commit === undefined) return;
      committed = true;
      try {
        commit(ready);
        pipe?.end('c');
      } catch (error) {
        failure = error;
        pipe?.destroy();
      }
    });
    stdin.on('error', () => undefined);
    stdin.end(text);
    child.on('error', (error: NodeJS.ErrnoException) => reject(helperNotStarted(helper, error)));
    child.on('close', (code: number | null) => {
      pipe?.destroy();
      if (failure !== undefined) reject(failure);
      else resolve({ lines: lines(), exitCode: code });
    });
  });
}
