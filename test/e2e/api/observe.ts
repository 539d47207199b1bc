// Runs one case of cases.ts and prints what it observed as JSON: `tsx observe.ts CASE ARG`.
import { CASES, type CaseName } from './cases.js';

const [name = '', arg = ''] = process.argv.slice(2);
const known = (n: string): n is CaseName => Object.hasOwn(CASES, n);
if (!known(name)) throw new Error(`no case ${name}`);
process.stdout.write(`${JSON.stringify(await CASES[name](arg))}\n`);
