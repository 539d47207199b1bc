// Type tests of the published declarations (dist/*.d.ts, through the package's own name): `make lint`
// type-checks this file; each @ts-expect-error must meet an error, or tsc fails.
import { CommandFailedError, doctor, MaxBufferError, NsrunError, run, spawn, type DoctorReport, type NsrunResult, type RunOptions } from 'nsrun';

export async function typed(): Promise<void> {
  const options: RunOptions = { flags: 'uts,pid', hostname: 'box', map: 'current', timeout: 1000, reject: false, stdio: 'pipe', input: 'text' };
  const result: NsrunResult = await run(['hostname'], options);
  const code: number = result.exitCode;
  const output: string = result.stdout + result.stderr;
  const uts: number | undefined = result.namespaces.uts;
  const setup: number | undefined = result.timings.setupMs;
  const overflowed: boolean = result.isMaxBuffer;
  const failed: boolean = result.failed;
  const interleaved: string | undefined = result.all;
  const shown: string = result.escapedCommand;
  void [code, output, uts, setup, overflowed, failed, interleaved, shown];

  // execa's forms: a file and its arguments, a file alone, a file: URL
  const echoed: string = (await run('echo', ['hi'], { flags: ['uts', 'ns'], stripFinalNewline: false, all: true })).stdout;
  const alone: boolean = (await run('true', { cwd: new URL('file:///tmp') })).failed;
  void [echoed, alone, await run(new URL('file:///bin/true'))];

  const limited = await run(['yes'], { maxBuffer: 1024 * 1024, buffer: true }).catch((error: unknown) => {
    if (error instanceof MaxBufferError) return { stream: error.stream, limit: error.maxBuffer, kept: error.stdout.length, short: error.shortMessage };
    throw error;
  });
  void limited;

  const sandbox = spawn(['sleep', '10'], { flags: ['pid', 'mnt'], signal: AbortSignal.timeout(100), stdin: 'pipe' });
  const { pid, namespaces } = await sandbox.ready;
  void [pid, namespaces.pid];
  sandbox.kill('SIGTERM');

  try {
    await sandbox.result;
  } catch (error) {
    if (error instanceof CommandFailedError) void [error.stderr, error.all, error.isCanceled, error.timedOut, error.signal];
    if (error instanceof NsrunError) void [error.step, error.exitCode, error.errno, error.syscall, error.hint];
  }

  const report: DoctorReport = await doctor();
  const userOk: boolean = report.namespaces.user.available;
  void userOk;

  // @ts-expect-error: no such option
  await run(['true'], { hostnme: 'box' });
  // @ts-expect-error: map is root, current or auto
  await run(['true'], { map: 'everything' });
  // @ts-expect-error: flags takes the words of --flags
  await run(['true'], { flags: ['bogus'] });
  // @ts-expect-error: the arguments are an array, as execa takes them
  await run('echo', 'hi');
  // @ts-expect-error: a command array takes its options second
  await run(['echo'], ['hi']);
  // @ts-expect-error: cwd is a path or a URL
  await run(['true'], { cwd: 5 });
  // @ts-expect-error: stripFinalNewline is true or false
  await run(['true'], { stripFinalNewline: 'no' });
  // @ts-expect-error: stdio is pipe, inherit, ignore or an fd
  await run(['true'], { stdout: 'capture' });
  // @ts-expect-error: maxBuffer is a number of bytes
  await run(['true'], { maxBuffer: '1M' });
  // @ts-expect-error: buffer is true or false
  await run(['true'], { buffer: 'yes' });
  // @ts-expect-error: the result's stdout is a string
  const wrong: number = result.stdout;
  void wrong;
}
