// The library API (src/api.ts), used from a Node process run as root and as an unprivileged user.
import { execa } from 'execa';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NAMESPACES } from '../../src/namespaces.js';
import type { CASES, CaseName } from './api/cases.js';
import { asRoot, identities, root, type Identity } from './harness.js';

/** Runs one case of api/cases.ts as `who` and returns what it observed (through JSON). */
async function observe<K extends CaseName>(who: Identity, name: K, arg = ''): Promise<Awaited<ReturnType<(typeof CASES)[K]>>> {
  const [file, ...args] = [...who.prefix, process.execPath, '--import', 'tsx', `${root}test/e2e/api/observe.ts`, name, arg];
  // a case that never settles fails here rather than at the test's own timeout
  const r = await execa(file as string, args, { cwd: root, reject: false, stdin: 'ignore', timeout: 20_000 });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Awaited<ReturnType<(typeof CASES)[K]>>;
}

describe.each(identities)('the API, as $name', (who) => {
  it.each(NAMESPACES.map((k) => k.name))('run creates a %s namespace and reports its inode', async (type) => {
    const seen = await observe(who, 'namespace', type);
    expect(seen.exitCode).toBe(0);
    expect(seen.stdout).toBe(`${type}:[${seen.inode}]`);
    expect(seen.stdout.trim()).not.toBe(readlinkSync(`/proc/self/ns/${type}`));
    expect(seen.pid).toBeGreaterThan(1);
  });

  it('captures stdout and stderr as strings, with timings', async () => {
    const seen = await observe(who, 'hostname', 'api-box');
    expect(seen).toMatchObject({ stdout: 'api-box', stderr: 'to-stderr' });
    expect(seen.setupMs).toBeGreaterThan(0);
    expect(seen.totalMs).toBeGreaterThanOrEqual(seen.setupMs ?? Infinity);
  });

  // run() has no `ready` to resolve: it reads the helper's status once the helper has ended (docs/contract.md)
  it('has run() read the status from a file without a name and spawn() follow it on a socket, both with timings', async () => {
    const seen = await observe(who, 'channels');
    expect(seen.run).toMatch(/\/#\d+ \(deleted\)$/); // in $TMPDIR, or /tmp
    expect(seen.spawn).toMatch(/^socket:\[\d+\]$/);
    for (const { setupMs, totalMs } of seen.timings) {
      expect(setupMs).toBeGreaterThan(0);
      expect(totalMs).toBeGreaterThan((setupMs ?? Infinity) + 400); // the command sleeps 0.5 s after it was executed
    }
  });

  // execa's forms and defaults (README, "Differences from execa" for where nsrun differs)
  it("takes execa's forms: a file and its arguments apart, flags of --flags words, the final newline stripped, all, a cwd URL", async () => {
    const seen = await observe(who, 'execaForms');
    expect(seen.apart.resolved).toMatchObject({ stdout: 'hi  there', command: 'echo hi  there', escapedCommand: "echo 'hi  there'", failed: false });
    expect(seen.mount.resolved?.stdout).toMatch(/^mnt:\[\d+\]$/);
    expect(seen.mount.resolved?.stdout).not.toBe(seen.hostMount);
    expect([seen.stripped.resolved?.stdout, seen.strippedCrlf.resolved?.stdout, seen.kept.resolved?.stdout]).toEqual(['a\n', 'b', 'a\n']);
    expect(seen.all.resolved).toMatchObject({ stdout: '1\n3', stderr: '2', all: '1\n2\n3' });
    expect(seen.cwd.resolved?.stdout).toBe('/tmp');
  });

  it('fails as execa does: the fields of the result on the error, a message that quotes the command and shows its output', async () => {
    const { status, signal, all, setup } = await observe(who, 'failures');
    expect(status).toMatchObject({ name: 'CommandFailedError', exitCode: 3, shortMessage: `Command failed with exit code 3: sh -c 'echo out; echo "it failed" >&2; exit 3'` });
    expect(status.message).toBe(`${status.shortMessage}\n\nit failed\n\nout`);
    expect(status.result).toMatchObject({ stdout: 'out', stderr: 'it failed', failed: true, exitCode: 3, isCanceled: false, timedOut: false });
    expect(signal).toMatchObject({ exitCode: 137, shortMessage: "Command was killed with SIGKILL: sh -c 'echo before; kill -KILL $$'" });
    expect(signal.result).toMatchObject({ signal: 'SIGKILL', stdout: 'before', failed: true });
    // reject: false resolves with the error, which has every field of a result
    expect(all.resolved).toMatchObject({ name: 'CommandFailedError', failed: true, exitCode: 1, all: '1\n2', stdout: '1', stderr: '2' });
    expect(all.message).toBe("Command failed with exit code 1: sh -c 'echo 1; sleep 0.3; echo 2 >&2; exit 1'\n\n1\n2");
    expect(setup.resolved).toMatchObject({ failed: true, step: 'cwd', exitCode: 125, code: 'ENOENT', namespaces: {}, stdout: '' });
    expect(setup.message).toBe('Command failed with ENOENT: true\nnsrun: cannot enter /nonexistent-nsrun-dir: no such file or directory');
  });

  it('writes input to the command', async () => {
    expect(await observe(who, 'input', 'some input')).toBe('some input');
  });

  // up to 64 KiB the config travels in the helper's environment, above it on the socket (docs/contract.md)
  it.each(['100', '70000'])('gives the command its environment, and only that, with a %s-byte variable', async (size) => {
    expect(await observe(who, 'environment', size)).toBe(`${size} unset`);
  });

  it('rejects a failing command with a CommandFailedError carrying the result', async () => {
    const seen = await observe(who, 'failure', '3');
    expect(seen).toMatchObject({ name: 'CommandFailedError', nsrunError: true, commandFailed: true, step: 'command', exitCode: 3 });
    expect(seen.message).toBe("Command failed with exit code 3: sh -c 'echo out; echo err >&2; exit 3'\n\nerr\n\nout");
    expect(seen.result).toMatchObject({ exitCode: 3, stdout: 'out', stderr: 'err', failed: true, isCanceled: false, timedOut: false });
  });

  it('resolves a failing command with reject: false', async () => {
    const seen = await observe(who, 'noReject', '4');
    expect(seen.resolved).toMatchObject({ exitCode: 4, failed: true, isCanceled: false, timedOut: false });
    expect(seen.resolved?.signal).toBeUndefined();
  });

  it('rejects a command that is not found with a CommandFailedError (exec, 127) whose cause says so', async () => {
    const seen = await observe(who, 'notFound', 'no-such-command-here');
    expect(seen).toMatchObject({ name: 'CommandFailedError', commandFailed: true, step: 'exec', exitCode: 127, code: 'ENOENT' });
    expect(seen.message).toBe('Command failed with ENOENT: no-such-command-here\nnsrun: no-such-command-here: command not found');
  });

  it('rejects a bad option with a usage NsrunError (2) that names it', async () => {
    const seen = await observe(who, 'badOption', 'x'.repeat(65));
    expect(seen).toMatchObject({ name: 'NsrunError', step: 'usage', exitCode: 2 });
    expect(seen.message).toMatch(/^invalid hostname 'x{65}': /); // as the API spells it, not --hostname
  });

  it('stops the sandbox on an AbortSignal and leaves no process of it', async () => {
    const seen = await observe(who, 'abort');
    expect(seen.ended).toMatchObject({ name: 'CommandFailedError', exitCode: 143, result: { isCanceled: true, signal: 'SIGTERM' } });
    expect(seen.ended.message).toBe("Command was canceled: sh -c 'sleep 1000 & sleep 1000 & wait'");
    expect(seen.left).toEqual([]);
  });

  // without a PID namespace, the end of the command ends nothing else: the processes it left in its namespaces are killed
  describe.each([
    ['uts', 'uts'],
    ['the default set', undefined],
  ])('with flags %s', (_, flags) => {
    it.each([0, 5, 26, 100])('an abort after %i ms settles the run as cancelled and leaves no process of the command', async (delay) => {
      const seen = await observe(who, 'abortAfter', JSON.stringify({ flags, delay }));
      expect(seen.ended).toMatchObject({ name: 'CommandFailedError', step: 'command', result: { isCanceled: true } });
      expect(seen.left).toEqual([]);
    });
  });

  it('an abort once the command has ended kills what it left holding the output, and settles the run', async () => {
    const seen = await observe(who, 'abortAfterExit', 'uts');
    expect(seen.ended).toMatchObject({ name: 'CommandFailedError', result: { isCanceled: true, exitCode: 0 } });
    expect(seen.left).toEqual([]);
  });

  it.each([
    ['stdout', undefined],
    ['stderr', 'uts'],
  ] as const)('stops a command that writes more than maxBuffer to %s (flags %s): a MaxBufferError, maxBuffer bytes kept, the status kept', async (stream, flags) => {
    const seen = await observe(who, 'maxBuffer', JSON.stringify({ stream, flags, reject: true }));
    expect(seen).toMatchObject({ name: 'MaxBufferError', nsrunError: true, commandFailed: true, step: 'command', exitCode: 143, stream, maxBuffer: 1048576 });
    expect(seen.result).toMatchObject({ isMaxBuffer: true, exitCode: 143, signal: 'SIGTERM', isCanceled: false, timedOut: false });
    expect(seen.shortMessage).toBe(`Command's ${stream} was larger than 1048576 bytes: ${stream === 'stdout' ? 'yes' : "sh -c 'yes >&2'"}`);
    expect([seen.stdoutBytes, seen.stderrBytes]).toEqual(stream === 'stdout' ? [1048576, 0] : [0, 1048576]);
  });

  it('resolves a command over maxBuffer with reject: false, saying so', async () => {
    const seen = await observe(who, 'maxBuffer', JSON.stringify({ stream: 'stdout', flags: 'uts', reject: false }));
    expect(seen.resolved).toMatchObject({ isMaxBuffer: true, failed: true, exitCode: 143, signal: 'SIGTERM' });
    expect(seen.stdoutBytes).toBe(1048576);
  });

  it('discards the output with buffer: false, which maxBuffer then does not limit', async () => {
    const seen = await observe(who, 'noBuffer', '3000000');
    expect(seen.resolved).toMatchObject({ exitCode: 0, failed: false, isMaxBuffer: false });
    expect(seen.stdoutBytes).toBe(0);
  });

  it('spawn: the caller reads 200 MB of stdout; the result keeps none of it, and this process stays small', async () => {
    const seen = await observe(who, 'spawnStream', '200000000');
    expect(seen).toMatchObject({ read: 200_000_000, exitCode: 0, kept: 0 });
    expect(seen.grewMiB).toBeLessThan(100); // buffered, the output alone would be 190 MiB
  });

  it('does not run the command when the signal was aborted before the call', async () => {
    const seen = await observe(who, 'abortedBefore');
    expect(seen.resolved).toMatchObject({ isCanceled: true, failed: true, exitCode: 143, signal: 'SIGTERM' });
    expect(seen.resolved?.pid).toBeUndefined();
  });

  it('stops the sandbox after timeout ms', async () => {
    const seen = await observe(who, 'timeout', '200');
    expect(seen.resolved).toMatchObject({ timedOut: true, isCanceled: false, signal: 'SIGTERM', exitCode: 143 });
    expect(seen.message).toBe('Command timed out after 200 milliseconds: sleep 1000');
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGKILL', 137],
  ])('spawn: the sandbox once up, then kill(%s) ends it', async (signal, exitCode) => {
    const seen = await observe(who, 'kill', signal);
    expect(seen.up.pid).toBeGreaterThan(1);
    expect(seen.up.pid).not.toBe(seen.helperPid);
    expect(seen.running).toEqual([seen.up.pid]);
    expect(seen.ended).toMatchObject({ name: 'CommandFailedError', exitCode, result: { signal, pid: seen.up.pid } });
  });

  it('runs 50 sandboxes at once from one process, each isolated, leaking no fd', async () => {
    const seen = await observe(who, 'concurrent', '50');
    expect(seen.stdout).toEqual(seen.names);
    expect(new Set(seen.inodes).size).toBe(50);
    expect(seen.inodes).not.toContain(Number(seen.host.replace(/\D/g, '')));
    // each sandbox holds at least its stdin, stdout and stderr while it is up, and none of them after
    expect(seen.fdsMade).toBeGreaterThanOrEqual(150);
    expect(seen.fdsLeft).toEqual([]);
  });
});

// root's sandbox of flags 'uts' has no user namespace, so its command may make a UTS namespace of its own
describe('the API, as root', () => {
  it('settles an aborted run even when its command left a process in namespaces of its own', async () => {
    const seen = await observe(asRoot, 'abortEscaped');
    expect(seen.ended).toMatchObject({ name: 'CommandFailedError', result: { isCanceled: true } });
    expect(seen.escaped).toBe(1); // unshare --uts left every namespace the sandbox made: out of reach (README)
  });
});

describe.each(identities)('the README example (examples/sandbox.mjs), as $name', (who) => {
  it('runs and prints what it promises', async () => {
    const [file, ...args] = [...who.prefix, process.execPath, `${root}examples/sandbox.mjs`];
    const r = await execa(file as string, args, { cwd: root, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^hostname inside: box \(uts namespace \d+, host pid \d+\)\nCommand failed with exit code 3: sh -c 'echo "no such file" >&2; exit 3'; stderr: no such file$/);
  });
});
