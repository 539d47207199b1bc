/** Runs the helper for a one-shot job (a kept sandbox's holder, namespace queries) and collects its status lines. */
import { spawn } from 'node:child_process';
import { helperNotStarted, helperPath } from './helper.js';

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

/**
 * Runs the helper with `document` on its stdin (`--config-fd 0`) and the status stream on its
 * stdout; the helper gets no terminal and no environment (a holder it leaves behind would show
 * nsrun's at /proc/1/environ to the sandbox), and dies with this process while it runs.
 */
export function runHelperOnce(document: object, helper: string = helperPath()): Promise<HelperOutput> {
  const text = JSON.stringify({ ...document, 'parent-pid': process.pid });
  return new Promise((resolve, reject) => {
    const child = spawn(helper, ['--config-fd', '0', '--status-fd', '1'], { stdio: ['pipe', 'pipe', 'ignore'], env: {} });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
    child.on('error', (error: NodeJS.ErrnoException) => reject(helperNotStarted(helper, error)));
    child.on('close', (code: number | null) => {
      const lines = out.split('\n').flatMap((line) => {
        const parsed = line === '' ? undefined : parseLine(line);
        return parsed === undefined ? [] : [parsed];
      });
      resolve({ lines, exitCode: code });
    });
  });
}
