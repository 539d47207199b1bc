/** `nsrun limits`: the namespace limits of /proc/sys/user and how many namespaces exist. */
import { usageError } from '../errors.js';
import { namespaceLimits } from '../inspect.js';
import type { HelpPage } from './help.js';
import { flag, parseOptions } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';
import { formatTable } from './table.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print JSON: {"limits": [{type, sysctl, max, count}]}' },
  HELP_OPTION,
];

export const help: HelpPage = {
  usage: 'limits [--json]',
  description:
    'Each /proc/sys/user/max_<type>_namespaces with how many namespaces of that type exist now, counted from /proc/*/ns ' +
    '(without root: those of your processes). A limit counts per user in each user namespace, so a count is not how close one user is to it.',
  options: OPTIONS,
  examples: [
    ['nsrun limits', 'a table of limits and counts'],
    ['nsrun limits --json | jq ".limits[] | select(.type == \\"user\\").max"', 'the user namespace limit'],
  ],
};

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'limits');
  if (positionals[0] !== undefined) throw usageError(`limits takes no argument, got '${positionals[0]}'`);
  const limits = await namespaceLimits();
  if (flag(values['json'])) {
    process.stdout.write(`${JSON.stringify({ limits }, null, 2)}\n`);
    return 0;
  }
  const rows = limits.map((l) => [l.type, l.sysctl, l.max === null ? '-' : String(l.max), String(l.count)]);
  process.stdout.write(formatTable([{ heading: 'TYPE' }, { heading: 'SYSCTL' }, { heading: 'MAX', right: true }, { heading: 'NOW', right: true }], rows));
  return 0;
}
