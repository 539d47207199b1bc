/** `nsrun ps`: the kept sandboxes. */
import { usageError } from '../errors.js';
import { backendRuns, listSandboxes } from '../keep.js';
import type { HelpPage } from './help.js';
import { flag, parseOptions } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';
import { formatTable } from './table.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print JSON: {"sandboxes": [...]}' },
  { name: 'quiet', alias: 'q', type: 'boolean', description: 'print only the names, one a line (as podman ps -q prints ids)' },
  HELP_OPTION,
];

export const help: HelpPage = {
  usage: 'ps [--json | --quiet]',
  description:
    'List the sandboxes kept with nsrun run --name: name, namespaces, holder pid (gone when it has died), the network backend and its pid (- without one), where they are recorded, when made. ' +
    'As root they are under /run/nsrun; otherwise under $XDG_RUNTIME_DIR/nsrun, or /tmp/nsrun-UID without one.',
  options: OPTIONS,
  examples: [
    ['nsrun ps', 'a table of your kept sandboxes'],
    ['nsrun ps --json | jq -r ".sandboxes[].name"', 'their names'],
  ],
};

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'ps');
  if (positionals[0] !== undefined) throw usageError(`ps takes no argument, got '${positionals[0]}'`);
  if (flag(values['json']) && flag(values['quiet'])) throw usageError('ps takes --json or --quiet, not both');
  const sandboxes = listSandboxes();
  if (flag(values['quiet'])) {
    process.stdout.write(sandboxes.map((s) => `${s.name}\n`).join(''));
    return 0;
  }
  if (flag(values['json'])) {
    process.stdout.write(`${JSON.stringify({ sandboxes }, null, 2)}\n`);
    return 0;
  }
  const rows = sandboxes.map((s) => [
    s.name,
    Object.keys(s.namespaces).join(','),
    s.running ? String(s.holder) : `${s.holder} (gone)`,
    s.network === undefined ? '-' : `${s.network.backend} ${s.network.pid}${backendRuns(s.network) ? '' : ' (gone)'}`,
    s.dir,
    s.createdAt,
  ]);
  process.stdout.write(formatTable([{ heading: 'NAME' }, { heading: 'NAMESPACES' }, { heading: 'HOLDER' }, { heading: 'NETWORK' }, { heading: 'PATH' }, { heading: 'CREATED' }], rows));
  return 0;
}
