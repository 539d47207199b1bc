// Runs the API cases of generate.ts for a seed in this process and prints how each settled, one JSON line
// a case: `tsx api-runner.ts SEED FIRST COUNT`. A throw that is not an NsrunError is reported, not raised.
import { CommandFailedError, NsrunError, run, type RunOptions } from '../../../src/index.js';
import { apiCase, commandOf, picker, prng } from './generate.js';

/** How one case settled. */
export interface ApiOutcome {
  readonly index: number;
  /** The exit code the result or the error carries. */
  readonly exitCode: number | undefined;
  readonly nsrunError: boolean;
  readonly step?: string;
  readonly name?: string;
  readonly message?: string;
}

/**
 * nsrun's own sentence of an error: a failed run's message goes on with the command's output (as
 * execa's does), and its shortMessage with why the command never ran, which its cause says alone.
 */
function sentence(error: NsrunError): string {
  if (!(error instanceof CommandFailedError)) return error.message;
  return error.cause instanceof NsrunError ? error.cause.message : error.shortMessage;
}

/** How a case that settled with an NsrunError settled: rejected, or resolved with reject: false. */
const failed = (index: number, error: NsrunError): ApiOutcome => ({ index, exitCode: error.exitCode, nsrunError: true, step: error.step, name: error.name, message: sentence(error) });

const [seed = '0', first = '0', count = '0', marker = 'property'] = process.argv.slice(2);
const pick = picker(prng(Number(seed)));
const end = Number(first) + Number(count);
for (let index = 0; index < end; index++) {
  const generated = apiCase(pick);
  if (index < Number(first)) continue;
  const command = commandOf(generated.status, `${marker}-${index}`);
  let outcome: ApiOutcome;
  try {
    const result = await run(command, generated.options as RunOptions);
    outcome = result instanceof NsrunError ? failed(index, result) : { index, exitCode: result.exitCode, nsrunError: false };
  } catch (error) {
    outcome =
      error instanceof NsrunError
        ? failed(index, error)
        : { index, exitCode: undefined, nsrunError: false, name: error instanceof Error ? error.name : typeof error, message: String(error) };
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
