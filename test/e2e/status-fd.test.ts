// nsrun run --status-fd N|-: the JSON Lines status stream (docs/contract.md).
import { execa } from 'execa';
import { readlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NAMESPACES } from '../../src/namespaces.js';
import { identities, nsrun, nsrunBin, type Identity } from './harness.js';

/** Starts nsrun as `who` with a pipe on fd 3 and stdin a pipe. */
function withStatusPipe(args: readonly string[], who: Identity) {
  const [file, ...rest] = [...who.prefix, nsrunBin, ...args];
  return execa(file as string, rest, { reject: false, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
}

/** The next complete line of a stream. */
function nextLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end < 0) return;
      stream.off('data', onData);
      stream.pause();
      if (end + 1 < text.length) stream.unshift(text.slice(end + 1));
      resolve(text.slice(0, end));
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`the stream ended after '${text}'`)));
  });
}

function statusLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.each(identities)('--status-fd, as $name', (who) => {
  it('reports the child pid and the inodes of /proc/PID/ns/* while the command runs, then its exit', async () => {
    const child = withStatusPipe(['--status-fd', '3', '--', 'cat'], who);
    const status = child.stdio[3] as Readable;
    const ready = JSON.parse(await nextLine(status)) as { 'child-pid': number; namespaces: Record<string, number> };
    const pid = ready['child-pid'];
    // the command still runs: cat waits for its stdin to end
    const actual = Object.fromEntries(NAMESPACES.map((k) => [k.name, Number(readlinkSync(`/proc/${pid}/ns/${k.procFile}`).replace(/\D/g, ''))]));
    expect(ready.namespaces).toEqual(actual);
    expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/\/cat$/);
    child.stdin?.end();
    const rest: string[] = [];
    status.on('data', (chunk: Buffer) => rest.push(chunk.toString('utf8')));
    status.resume();
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(statusLines(rest.join(''))).toEqual([{ 'exit-code': 0 }]);
  });

  it('ends with the signal the command died of', async () => {
    const r = await nsrun(['--status-fd', '-', '--flags', 'uts', '--', 'sh', '-c', 'kill -TERM $$'], who);
    expect(r.exitCode).toBe(143);
    const lines = statusLines(r.stderr);
    expect(lines[0]).toHaveProperty('child-pid');
    expect(lines.slice(1)).toEqual([{ 'exit-code': 143, signal: 15 }]);
  });

  it('writes to stderr with -, and the command keeps its stdout', async () => {
    const r = await nsrun(['--status-fd', '-', '--flags', 'uts', '--hostname', 'st', '--', 'sh', '-c', 'hostname; exit 7'], who);
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toBe('st');
    const lines = statusLines(r.stderr);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ 'child-pid': expect.any(Number), namespaces: expect.objectContaining({ uts: expect.any(Number) }) });
    expect(lines[1]).toEqual({ 'exit-code': 7 });
  });

  it('reports a setup failure as an error line, then the one-line message', async () => {
    const r = await nsrun(['--status-fd', '-', '--flags', 'uts', '--', 'no-such-command-here'], who);
    expect(r.exitCode).toBe(127);
    const [line, message, ...more] = r.stderr.split('\n');
    expect(more).toEqual([]);
    expect(JSON.parse(line ?? '')).toEqual({
      error: { step: 'exec', syscall: 'execve', errno: 2, detail: 'no-such-command-here', 'exit-code': 127, message: 'no-such-command-here: command not found' },
    });
    expect(message).toBe('nsrun: no-such-command-here: command not found');
  });

  it('reports a refused option as an error line with exit-code 2', async () => {
    const r = await nsrun(['--status-fd', '-', '--flags', 'ipc', '--hostname', 'x', '--', 'true'], who);
    expect(r.exitCode).toBe(2);
    expect(statusLines(r.stderr.split('\n')[0] ?? '')).toEqual([{ error: { step: 'usage', 'exit-code': 2, message: expect.stringMatching(/--hostname/) } }]);
  });

  it.each([
    [['--status-fd', '9', '--', 'true'], /--status-fd 9: file descriptor 9 (is not open|was not passed to nsrun)/],
    [['--status-fd', 'x', '--', 'true'], /invalid --status-fd 'x'/],
    [['--status-fd', '--', 'true'], /invalid --status-fd '--'/],
    [['--status-fd'], /--status-fd needs a value/],
  ])('refuses %j in one line with exit 2', async (args, message) => {
    const r = await nsrun(args, who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('refuses an fd open only for reading', async () => {
    const [file, ...rest] = [...who.prefix, '/bin/sh', '-c', `exec ${nsrunBin} --status-fd 3 -- true 3</dev/null`];
    const r = await execa(file as string, rest, { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('nsrun: --status-fd 3: file descriptor 3 is not open for writing (hint: open it in the shell, e.g. 3>status.jsonl)');
  });
});
