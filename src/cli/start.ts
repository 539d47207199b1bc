/** The entry of the bundled command, `dist/nsrun.cjs` (scripts/bundle.mjs), which bin/nsrun loads. */
import { inheritIgnoredSignals } from '../helper.js';
import { main } from './main.js';

inheritIgnoredSignals(process.env);
void main(process.argv.slice(2));
// Once nothing is left to do, every write to stdout and stderr is done: end there, with
// process.exitCode, rather than after Node frees its environment and heap, which no one needs
// from a process about to end and which costs the caller milliseconds (BENCHMARKS.md).
process.once('beforeExit', () => process.exit());
