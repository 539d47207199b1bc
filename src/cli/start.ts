/** The entry of the bundled command, `dist/nsrun.cjs` (scripts/bundle.mjs), which bin/nsrun loads. */
import { fail, main } from './main.js';

// What escapes main (an 'error' event nothing listens to, a rejection nothing awaits) is one line
// and exit 125 too, never a stack trace; the helper, if one runs, dies with this process.
const end = (error: unknown): void => {
  fail(error);
  process.exit();
};
process.on('uncaughtException', end);
process.on('unhandledRejection', end);
void main(process.argv.slice(2));
// Once nothing is left to do, every write to stdout and stderr is done: end there, with
// process.exitCode, rather than after Node frees its environment and heap, which no one needs
// from a process about to end and which costs the caller milliseconds (BENCHMARKS.md).
process.once('beforeExit', () => process.exit());
