/** `nsrun inspect PID...`: which namespaces processes share. */
import { inspect } from '../inspect.js';
import { validatePid } from '../join.js';
import type { HelpPage } from './help.js';
import { flag, parseOptions } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';
import { formatTable } from './table.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print JSON: {"namespaces": [{type, processes: [{pid, ns, initial}], caller (one PID): {ns, initial}, shared}]}' },
  HELP_OPTION,
];

export const help: HelpPage = {
  usage: 'inspect PID [PID...] [--json]',
  description:
    'For each namespace type, the namespace (inode) each process is in, whether they all share it, and which are initial ' +
    "namespaces of the kernel (the host's): those with the type's fixed inode (PROC_*_INIT_INO), or for mnt and net on kernels " +
    "before 6.18 the kernel threads'. With one PID, the column CALLER is your own namespace and SHARED compares the two. " +
    'A namespace the caller may not inspect shows as -.',
  options: OPTIONS,
  operands: 'pid',
  examples: [
    ['nsrun inspect $$ 4242', 'what your shell shares with process 4242'],
    ['nsrun inspect 4242', 'which namespaces process 4242 shares with you'],
    ['nsrun inspect --json 4242 4343', 'the same comparison as JSON'],
  ],
};

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'inspect');
  const pids = positionals.map((word) => validatePid('process id', word));
  const comparison = await inspect(pids);
  if (flag(values['json'])) {
    process.stdout.write(`${JSON.stringify({ namespaces: comparison }, null, 2)}\n`);
    return 0;
  }
  const shown = (ns: number | null, initial: boolean | null): string => (ns === null ? '-' : `${ns}${initial === true ? ' (initial)' : ''}`);
  const rows = comparison.map((c) => [
    c.type,
    ...[...c.processes, ...(c.caller === undefined ? [] : [c.caller])].map((p) => shown(p.ns, p.initial)),
    c.shared === null ? '-' : c.shared ? 'yes' : 'no',
  ]);
  const headings = [...pids.map(String), ...(pids.length === 1 ? ['CALLER'] : [])];
  const columns = [{ heading: 'TYPE' }, ...headings.map((heading) => ({ heading })), { heading: 'SHARED' }];
  process.stdout.write(formatTable(columns, rows));
  return 0;
}
