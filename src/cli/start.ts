/** The entry of the bundled command, `dist/nsrun.cjs` (scripts/bundle.mjs), which bin/nsrun loads. */
import { main } from './main.js';

void main(process.argv.slice(2));
