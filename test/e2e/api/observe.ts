// Runs one case of cases.ts and prints what it observed as JSON: `tsx observe.ts CASE ARG`.
import { CASES } from './cases.js';

const [name = '', arg = ''] = process.argv.slice(2);
const observe = CASES[name];
if (observe === undefined) throw new Error(`no case ${name}`);
process.stdout.write(`${JSON.stringify(await observe(arg))}\n`);
