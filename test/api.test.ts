// src/api.ts without a sandbox: what it refuses before starting anything, and how its errors read.
import { describe, expect, it } from 'vitest';
import { CommandFailedError, MaxBufferError, run, spawn, type NsrunResult, type RunOptions } from '../src/api.js';
import { formatMessage, NsrunError } from '../src/errors.js';
import { thrown } from './support/thrown.js';

const result = (overrides: Partial<NsrunResult>): NsrunResult => ({
  command: 'sleep 10',
  escapedCommand: 'sleep 10',
  exitCode: 0,
  signal: undefined,
  stdout: '',
  stderr: '',
  all: undefined,
  failed: true,
  pid: 42,
  namespaces: {},
  timings: { setupMs: 1, totalMs: 2 },
  isCanceled: false,
  timedOut: false,
  isMaxBuffer: false,
  ...overrides,
});

const limits = { timeout: 0, maxBuffer: 100_000_000 };

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
    ['flags: ["uts,pid"]', { flags: ['uts,pid'] }, /^invalid flags 'uts,pid': expected one namespace name per entry of the array$/],
    ['flags: ["uts", "bogus"]', { flags: ['uts', 'bogus'] }, /^unknown namespace 'bogus' in flags; valid names: /],
    ['flags: ["ns", "mnt"]', { flags: ['ns', 'mnt'] }, /^flags 'ns,mnt' names the mount namespace more than once \(ns, mnt\)$/],
    ['cwd: an http URL', { cwd: new URL('http://example.org/tmp') }, /^invalid cwd 'http:\/\/example.org\/tmp': expected a path .*, or a file: URL of one$/],
    ['stripFinalNewline: "no"', { stripFinalNewline: 'no' }, /^invalid stripFinalNewline: expected true or false, not "no"$/],
    ['all: 1', { all: 1 }, /^invalid all: expected true or false, not 1$/],
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

  it.each([
    ['hostnme', 'did you mean hostname?'],
    ['HostName', 'did you mean hostname?'],
    ['hsotname', 'did you mean hostname?'],
    ['uid-map', 'did you mean uidMap?'],
    ['clear_env', 'did you mean clearEnv?'],
    ['strpFinalNewline', 'did you mean stripFinalNewline?'],
    ['extendEnv', 'nsrun has no extendEnv; use clearEnv: true for extendEnv: false'],
    ['cancelSignal', 'nsrun has no cancelSignal; use signal, an AbortSignal'],
    ['shell', "nsrun has no shell; use a command of its own, ['sh', '-c', 'LINE']"],
    ['ab', undefined],
    ['verbose', undefined],
  ])('refuses the unknown option %s with the hint %s', (name, hint) => {
    const error = thrown(() => spawn(['true'], { [name]: true } as RunOptions));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2, message: `unknown option "${name}"`, hint });
    expect(formatMessage(error)).toBe(`nsrun: unknown option "${name}"${hint === undefined ? '' : ` (hint: ${hint})`}`);
  });

  it('keeps a message on one line whatever the value shows', () => {
    expect(thrown(() => spawn(['true'], { flags: 'uts', hostname: `a\n${'x'.repeat(70)}` })).message).toMatch(/^invalid hostname 'a\\nx+': /);
  });
});

describe('CommandFailedError', () => {
  it.each([
    [result({ exitCode: 3 }), 0, 'Command failed with exit code 3: sleep 10', 3],
    [result({ exitCode: 143, signal: 'SIGTERM' }), 0, 'Command was killed with SIGTERM: sleep 10', 143],
    [result({ exitCode: 143, signal: 'SIGTERM', isCanceled: true }), 0, 'Command was canceled: sleep 10', 143],
    [result({ exitCode: 143, signal: 'SIGTERM', timedOut: true }), 250, 'Command timed out after 250 milliseconds: sleep 10', 143],
  ])('says how the command ended, as execa does: %#', (ended, timeout, message, exitCode) => {
    const error = new CommandFailedError(ended, { ...limits, timeout });
    expect(error).toBeInstanceOf(NsrunError);
    expect(error).toMatchObject({ name: 'CommandFailedError', step: 'command', message, shortMessage: message, exitCode, failed: true });
  });

  it("has the fields of the result, as execa's ExecaError", () => {
    const ended = result({ exitCode: 3, stdout: 'out', stderr: 'err', all: 'out\nerr', pid: 7, namespaces: { uts: 9 } });
    expect(new CommandFailedError(ended, limits)).toMatchObject({ ...ended, failed: true });
  });

  it.each([
    ['stderr, then stdout', result({ exitCode: 2, stdout: 'out\n', stderr: 'line 1\nline 2' }), 'Command failed with exit code 2: sleep 10\n\nline 1\nline 2\n\nout'],
    ['all instead, when kept', result({ exitCode: 2, stdout: 'out', stderr: 'err', all: 'err\nout' }), 'Command failed with exit code 2: sleep 10\n\nerr\nout'],
    ['no empty part', result({ exitCode: 2, stdout: 'out' }), 'Command failed with exit code 2: sleep 10\n\nout'],
    ['control characters escaped', result({ exitCode: 2, stderr: '\x1b[31mred\r' }), 'Command failed with exit code 2: sleep 10\n\n\\x1b[31mred\\x0d'],
  ])('has a message with the output under shortMessage: %s', (_, ended, message) => {
    const error = new CommandFailedError(ended, limits);
    expect(error.message).toBe(message);
    expect(error.shortMessage).toBe('Command failed with exit code 2: sleep 10');
  });

  it('says why a command that never ran did not, with the setup error as its cause', () => {
    const cause = new NsrunError('no-such: command not found', { step: 'exec', exitCode: 127, code: 'ENOENT', errno: 2, syscall: 'execve' });
    const error = new CommandFailedError(result({ exitCode: 127, pid: undefined }), { ...limits, cause });
    expect(error).toMatchObject({ step: 'exec', exitCode: 127, code: 'ENOENT', errno: 2, syscall: 'execve', cause });
    expect(error.message).toBe('Command failed with ENOENT: sleep 10\nnsrun: no-such: command not found');
  });

  it('is a MaxBufferError when the output was over maxBuffer', () => {
    const ended = result({ command: 'yes', escapedCommand: 'yes', exitCode: 143, signal: 'SIGTERM', isMaxBuffer: true });
    const error = new MaxBufferError(ended, { ...limits, stream: 'stderr', maxBuffer: 1024 });
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({ name: 'MaxBufferError', stream: 'stderr', maxBuffer: 1024, exitCode: 143, isMaxBuffer: true });
    expect(error.message).toBe("Command's stderr was larger than 1024 bytes: yes");
  });
});

// execa takes a file and its arguments apart, and never splits a string into words.
describe("the command, in execa's forms or as one array", () => {
  it.each([
    ['a string with a space', () => spawn('echo hi'), /^invalid command "echo hi": a string is the file to run, not split into words$/, 'run("echo", ["hi"]) runs echo with its arguments; run("echo hi", []) runs a file of that name'],
    ['neither a string nor an array', () => spawn(5 as unknown as string), /^invalid command 5: expected a file to run/, undefined],
    ['arguments that are no array', () => spawn('echo', 'hi' as unknown as string[]), /^invalid args "hi": expected an array of strings$/, undefined],
    ['arguments after an array', () => spawn(['echo'], ['hi'] as unknown as RunOptions), /^invalid options: expected an object, not \["hi"\]$/, undefined],
    ['a third argument after an array', () => (spawn as (...args: unknown[]) => unknown)(['echo'], {}, {}), /^invalid arguments: with the command as an array, the options come second$/, undefined],
    ['a URL that is no file', () => spawn(new URL('http://example.org/x')), /^invalid command "http:\/\/example.org\/x": expected a file: URL$/, undefined],
    ['an argument that is no string', () => spawn('echo', [5 as unknown as string]), /^invalid command argument 1 5: /, undefined],
  ])('refuses %s with a usage error (exit code 2), never a TypeError', (_, call, message, hint) => {
    expect(thrown(call)).toMatchObject({ step: 'usage', exitCode: 2, message: expect.stringMatching(message), hint });
  });

  it('rejects run() of a string with a space as spawn() throws', async () => {
    await expect(run('echo hi')).rejects.toMatchObject({ step: 'usage', exitCode: 2, message: 'invalid command "echo hi": a string is the file to run, not split into words' });
  });

  // aborted before the call: the command and options are checked, and nothing runs
  const options: RunOptions = { signal: AbortSignal.abort(), reject: false };
  it.each([
    ['the file and its arguments apart', () => run('echo', ['a b', "it's"], options), "echo 'a b' 'it'\\''s'"],
    ['the file alone', () => run('true', options), 'true'],
    ['a file: URL', () => run(new URL('file:///bin/echo'), ['x\ny'], options), "/bin/echo 'x\\ny'"],
    ['one array', () => run(['sh', '-c', 'exit 3'], options), "sh -c 'exit 3'"],
    ['a file: URL with a space, alone', () => run(new URL('file:///opt/my%20tool'), options), "'/opt/my tool'"],
    ['a string with a space, its args given', () => run('/opt/my tool', [], options), "'/opt/my tool'"],
  ])('takes %s, as the escaped command shows', async (_, call, escaped) => {
    expect(await call()).toMatchObject({ escapedCommand: escaped, failed: true, isCanceled: true, pid: undefined });
  });
});
