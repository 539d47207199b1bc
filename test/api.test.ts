// src/api.ts without a sandbox: what it refuses before starting anything, and how its errors read.
import { describe, expect, it } from 'vitest';
import { CommandFailedError, run, spawn, type NsrunResult } from '../src/api.js';
import { formatMessage, NsrunError } from '../src/errors.js';

const result = (overrides: Partial<NsrunResult>): NsrunResult => ({
  command: ['sleep', '10'],
  exitCode: 0,
  signal: undefined,
  stdout: '',
  stderr: '',
  pid: 42,
  namespaces: {},
  timings: { setupMs: 1, totalMs: 2 },
  cancelled: false,
  timedOut: false,
  ...overrides,
});

describe('spawn and run', () => {
  it.each([-1, 1.5, Number.NaN])('refuse timeout %s with a usage error before starting anything', async (timeout) => {
    expect(() => spawn(['true'], { timeout })).toThrow(NsrunError);
    await expect(run(['true'], { timeout })).rejects.toMatchObject({ step: 'usage', exitCode: 2, message: expect.stringMatching(/^invalid timeout/) });
  });

  it('refuse input with a stdin that is not a pipe', () => {
    expect(() => spawn(['cat'], { input: 'x', stdin: 'ignore' })).toThrow(/^input needs stdin 'pipe', not "ignore"$/);
  });

  it('refuse a bad sandbox option with the message the CLI prints', async () => {
    const error = await run(['true'], { flags: 'bogus' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NsrunError);
    expect(formatMessage(error)).toMatch(/^nsrun: unknown namespace 'bogus' in --flags/);
  });
});

describe('CommandFailedError', () => {
  it.each([
    [result({ exitCode: 3 }), 0, "'sleep 10' exited with status 3", 3],
    [result({ exitCode: 143, signal: 'SIGTERM' }), 0, "'sleep 10' died of signal SIGTERM", 143],
    [result({ exitCode: 143, signal: 'SIGTERM', cancelled: true }), 0, "'sleep 10' was cancelled", 143],
    [result({ exitCode: 143, signal: 'SIGTERM', timedOut: true }), 250, "'sleep 10' timed out after 250 ms", 143],
    [result({ command: ['echo', 'x'.repeat(80)], exitCode: 1 }), 0, `'echo ${'x'.repeat(52)}...' exited with status 1`, 1],
  ])('says how the command ended: %#', (ended, timeout, message, exitCode) => {
    const error = new CommandFailedError(ended, timeout);
    expect(error).toBeInstanceOf(NsrunError);
    expect(error).toMatchObject({ name: 'CommandFailedError', step: 'command', message, exitCode, result: ended });
  });
});
