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
  const overflowed: boolean = result.maxBufferExceeded;
  void [code, output, uts, setup, overflowed];

  const limited = await run(['yes'], { maxBuffer: 1024 * 1024, buffer: true }).catch((error: unknown) => {
    if (error instanceof MaxBufferError) return { stream: error.stream, limit: error.maxBuffer, kept: error.result.stdout.length };
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
    if (error instanceof CommandFailedError) void error.result.stderr;
    if (error instanceof NsrunError) void [error.step, error.exitCode, error.errno, error.syscall, error.hint];
  }

  const report: DoctorReport = await doctor();
  const userOk: boolean = report.namespaces.user.available;
  void userOk;

  // @ts-expect-error: no such option
  await run(['true'], { hostnme: 'box' });
  // @ts-expect-error: map is root, current or auto
  await run(['true'], { map: 'everything' });
  // @ts-expect-error: flags names contract names when given as an array
  await run(['true'], { flags: ['ns'] });
  // @ts-expect-error: the command is an array of words
  await run('hostname');
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
