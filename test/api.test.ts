// src/api.ts without a sandbox: what it refuses before starting anything, and how its errors read.
import { describe, expect, it } from 'vitest';
import { CommandFailedError, MaxBufferError, run, spawn, type NsrunResult, type RunOptions } from '../src/api.js';
import { formatMessage, NsrunError } from '../src/errors.js';
import { thrown } from './support/thrown.js';

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
  maxBufferExceeded: false,
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

  it('refuse a bad sandbox option with the message the CLI prints, the option named as the API names it', async () => {
    const error = await run(['true'], { flags: 'bogus' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NsrunError);
    expect(formatMessage(error)).toMatch(/^nsrun: unknown namespace 'bogus' in flags;/);
  });
});

// Each option a JavaScript caller can get wrong: the wrong type, a value the type allows but the
// option does not, a name that is no option. Nothing runs; the error names the option as the API spells it.
describe('options of the wrong type or name', () => {
  const badOptions: [string, Record<string, unknown>, RegExp][] = [
    ['flags: 123', { flags: 123 }, /^invalid flags: expected a comma-separated string or a non-empty array of namespace names, not 123$/],
    ['flags: []', { flags: [] }, /^invalid flags: .* not \[\]$/],
    ['flags: [5]', { flags: [5] }, /^invalid flags: .* not \[5\]$/],
    ['mounts: "x"', { mounts: 'x' }, /^invalid mounts: expected an array of mounts .* not "x"$/],
    ['mounts: [null]', { mounts: [null] }, /^invalid mounts: /],
    ['a mount with a misspelt member', { mounts: [{ type: 'bind', source: '/etc', destination: '/etc', readonly: true }] }, /^invalid mounts: .* not \[\{"type":"bind"/],
    ['a mount of no known type', { mounts: [{ type: 'overlay', destination: '/x' }] }, /^invalid mounts \{"type":"overlay","destination":"\/x"\}: expected a mount of type 'bind', 'tmpfs' or 'dev'$/],
    ['capDrop: [5]', { capDrop: [5] }, /^invalid capDrop: expected an array of strings, not \[5\]$/],
    ['capAdd: "NET_RAW"', { capAdd: 'NET_RAW' }, /^invalid capAdd: /],
    ['uidMap: [{}]', { uidMap: [{}] }, /^invalid uidMap: .* not \[\{\}\]$/],
    ['gidMap: "0:0:1"', { gidMap: '0:0:1' }, /^invalid gidMap: /],
    ['signal: {}', { signal: {} }, /^invalid signal: expected an AbortSignal, not \{\}$/],
    ['stdio: "bogus"', { stdio: 'bogus' }, /^invalid stdio: .* not "bogus"$/],
    ['stdio: [1, 2]', { stdio: [1, 2] }, /^invalid stdio: /],
    ['stdin: 999', { stdin: 999 }, /^invalid stdin 999: file descriptor 999 is not open$/],
    ['stdout: -1', { stdout: -1 }, /^invalid stdout: /],
    ['stdio: [0, 999, 2]', { stdio: [0, 999, 2] }, /^invalid stdio 999: file descriptor 999 is not open$/],
    ['env: "FOO=bar"', { env: 'FOO=bar' }, /^invalid env: .* not "FOO=bar"$/],
    ['env: { FOO: 1 }', { env: { FOO: 1 } }, /^invalid env \{"FOO":1\}: expected KEY=VALUE/],
    ['init: "yes"', { init: 'yes' }, /^invalid init: expected true or false, not "yes"$/],
    ['proc: 0', { proc: 0 }, /^invalid proc: /],
    ['clearEnv: "true"', { clearEnv: 'true' }, /^invalid clearEnv: /],
    ['readOnly: 1', { readOnly: 1 }, /^invalid readOnly: /],
    ['allowNewPrivs: null', { allowNewPrivs: null }, /^invalid allowNewPrivs: .* not null$/],
    ['hostname: 5', { hostname: 5 }, /^invalid hostname: expected a string, not 5$/],
    ['uid: {}', { uid: {} }, /^invalid uid: /],
    ['stopTimeout: true', { stopTimeout: true }, /^invalid stopTimeout: /],
    ['timeOffset: 5', { timeOffset: 5 }, /^invalid timeOffset: /],
    ['cwd: ["/"]', { cwd: ['/'] }, /^invalid cwd: /],
    ['reject: "no"', { reject: 'no' }, /^invalid reject: /],
    ['timeout: "100"', { timeout: '100' }, /^invalid timeout: /],
    ['input: 5', { input: 5 }, /^invalid input: /],
    ['maxBuffer: "1"', { maxBuffer: '1' }, /^invalid maxBuffer: /],
    ['maxBuffer: 0', { maxBuffer: 0 }, /^invalid maxBuffer 0: expected an integer of bytes from 1 to \d+$/],
    ['buffer: "yes"', { buffer: 'yes' }, /^invalid buffer: /],
    ['an unknown name', { hostnme: 'box' }, /^unknown option "hostnme"$/],
    ['a value of an option the table does not know', { toString: 'x' }, /^unknown option "toString"$/],
    ['hostname too long', { flags: 'uts', hostname: 'x'.repeat(65) }, /^invalid hostname 'x{65}': expected 1 to 64 bytes without NUL$/],
    ['init without pid', { flags: 'uts', init: true }, /^init needs a new PID namespace; add pid to flags$/],
    ['readOnly without rootfs', { readOnly: true }, /^readOnly needs rootfs DIR$/],
    ['a bind without a source', { mounts: [{ type: 'bind', source: '', destination: '/x' }] }, /^invalid mounts ':\/x': /],
    ['capDrop of an unknown name', { capDrop: ['NOPE'] }, /^invalid capDrop 'NOPE': /],
  ];
  it.each(badOptions)('%s: an NsrunError (usage, exit code 2) naming the option, thrown by spawn and rejected by run', async (_, options, message) => {
    const thrownBySpawn = thrown(() => spawn(['true'], options as RunOptions));
    expect(thrownBySpawn).toMatchObject({ step: 'usage', exitCode: 2, message: expect.stringMatching(message) });
    expect(thrownBySpawn.message).not.toMatch(/--|\n/);
    await expect(run(['true'], options as RunOptions)).rejects.toMatchObject({ step: 'usage', exitCode: 2, message: expect.stringMatching(message) });
  });

  it.each([
    ['a string', 'x', /^invalid options: expected an object, not "x"$/],
    ['null', null, /^invalid options: expected an object, not null$/],
  ])('refuse options that are %s', (_, options, message) => {
    expect(thrown(() => spawn(['true'], options as unknown as RunOptions)).message).toMatch(message);
  });

  it('refuses a command that is not an array', () => {
    expect(thrown(() => spawn('hostname' as unknown as string[])).message).toBe('invalid command: expected an array of strings');
  });

  it('keeps a message on one line whatever the value shows', () => {
    expect(thrown(() => spawn(['true'], { flags: 'uts', hostname: `a\n${'x'.repeat(70)}` })).message).toMatch(/^invalid hostname 'a\\nx+': /);
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

  it('is a MaxBufferError when the output was over maxBuffer', () => {
    const ended = result({ command: ['yes'], exitCode: 143, signal: 'SIGTERM', maxBufferExceeded: true });
    const error = new MaxBufferError(ended, 'stderr', 1024);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({ name: 'MaxBufferError', stream: 'stderr', maxBuffer: 1024, exitCode: 143, result: ended });
    expect(error.message).toBe("'yes' wrote more than 1024 bytes to stderr (maxBuffer) and was stopped");
  });
});
