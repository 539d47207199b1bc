/** The entry of the bundled command, `dist/nsrun.cjs` (scripts/bundle.mjs), which bin/nsrun loads. */
import { explainFailure, explainsFailure } from './explain.js';
import { readerGone } from './failure.js';
import { inheritIgnoredSignals } from '../handover.js';
import { fail, main } from './main.js';

/** 128 + SIGPIPE, what a shell reports for a program a closed pipe ended. */
const BROKEN_PIPE = 141;

// What escapes main (an 'error' event nothing listens to, a rejection nothing awaits) is one line
// and exit 125 too, never a stack trace; the helper, if one runs, dies with this process. Output
// whose reader has gone ends nsrun quietly, as SIGPIPE ends other programs.
const end = (error: unknown): void => {
  if (readerGone(error)) process.exitCode = BROKEN_PIPE;
  else fail(error);
  process.exit();
};
process.on('uncaughtException', end);
process.on('unhandledRejection', end);

if (explainsFailure(process.env)) {
  explainFailure(process.env);
} else {
  inheritIgnoredSignals(process.env);
  void main(process.argv.slice(2));
}
// Once nothing is left to do, every write to stdout and stderr is done: end there, with
// process.exitCode, rather than after Node frees its environment and heap, which no one needs
// from a process about to end and which costs the caller milliseconds (BENCHMARKS.md).
process.once('beforeExit', () => process.exit());
