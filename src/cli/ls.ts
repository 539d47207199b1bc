/** `nsrun ls`: the namespaces of the machine, as lsns lists them. */
import { listNamespaces, namespaceTree, validateType, type NamespaceNode, type NamespaceRow, type TreeRelation } from '../inspect.js';
import { usageError } from '../errors.js';
import { NAMESPACES } from '../namespaces.js';
import { validateChoice } from '../options.js';
import type { HelpPage } from './help.js';
import { flag, lastString, parseOptions } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';
import { formatTable, type Column } from './table.js';

const RELATIONS: readonly TreeRelation[] = ['parent', 'owner'];

const OPTIONS: readonly OptionSpec[] = [
  { name: 'type', alias: 't', type: 'string', description: 'only namespaces of this type: uts, ipc, pid, mnt, net, user, cgroup, time', completes: { words: NAMESPACES.map((k) => k.name) } },
  { name: 'json', alias: 'J', type: 'boolean', description: 'print JSON in the shape of lsns -J --list (flat; nested with --tree, as lsns -J --tree): {"namespaces": [...]}' },
  { name: 'tree', alias: 'T', type: 'string', description: 'nest namespaces under their parent (pid, user) or their owning user namespace', choices: RELATIONS },
  HELP_OPTION,
];

export const help: HelpPage = {
  usage: 'ls [--type TYPE] [--json] [--tree parent|owner]',
  description:
    'List namespaces from /proc/*/ns, one row each: NS (inode), TYPE, NPROCS, PID (the lowest), USER and COMMAND of that process, ' +
    'and NAME, the kept sandbox it belongs to (as root, any user\'s). Without root only your own processes can be inspected, as with lsns. ' +
    '--tree also shows the namespaces on the way up that no process is in (NPROCS 0), as lsns does.',
  options: OPTIONS,
  examples: [
    ['nsrun ls --type net', 'every network namespace'],
    ['nsrun ls --json | jq ".namespaces[] | select(.name == \\"box\\")"', "the kept sandbox box's namespaces"],
    ['nsrun ls --tree owner', 'each namespace under the user namespace that owns it'],
  ],
};

const COLUMNS: readonly Column[] = [
  { heading: 'NS', right: true },
  { heading: 'TYPE' },
  { heading: 'NPROCS', right: true },
  { heading: 'PID', right: true },
  { heading: 'USER' },
  { heading: 'NAME' },
  { heading: 'COMMAND' },
];

/** A row's cells; a namespace no process is in (under --tree) has an empty PID, USER and COMMAND, as in lsns. */
function cells(row: NamespaceRow | NamespaceNode, ns: string): string[] {
  return [ns, row.type, String(row.nprocs), row.pid === null ? '' : String(row.pid), row.user ?? '', row.name ?? '', row.command ?? ''];
}

/** The lines of a tree as libsmartcols draws them for lsns: box drawing in a UTF-8 locale, ASCII otherwise. */
const TREE_LINES = {
  utf8: { branch: '├─', last: '└─', down: '│ ' },
  ascii: { branch: '|-', last: '`-', down: '| ' },
};

/** Whether the locale's character set is UTF-8, from the variables setlocale(3) reads, in its order. */
function utf8Locale(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  return /\.utf-?8(@|$)/i.test(locale);
}

/** The rows of a tree, depth first, the NS column drawn as lsns draws a tree: each top at the left, without a branch. */
function treeRows(nodes: readonly NamespaceNode[], lines = utf8Locale() ? TREE_LINES.utf8 : TREE_LINES.ascii, indent = '', top = true): string[][] {
  return nodes.flatMap((node, i) => {
    const last = i === nodes.length - 1;
    const branch = top ? '' : last ? lines.last : lines.branch;
    const below = top ? '' : indent + (last ? '  ' : lines.down);
    return [cells(node, `${indent}${branch}${node.ns}`), ...treeRows(node.children, lines, below, false)];
  });
}

/** A tree as lsns -J --tree nests it: each namespace's members, then its `children`. */
function treeJson(nodes: readonly NamespaceNode[]): object[] {
  return nodes.map(({ children, parentNs: _parent, ...row }) => (children.length === 0 ? row : { ...row, children: treeJson(children) }));
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'ls');
  if (positionals[0] !== undefined) throw usageError(`ls takes no argument, got '${positionals[0]}' (see nsrun ls --help)`);
  const typeName = lastString(values['type']);
  const type = typeName === undefined ? undefined : validateType(typeName);
  const treeName = lastString(values['tree']);
  const relation = treeName === undefined ? undefined : validateChoice('--tree', treeName, RELATIONS);
  const json = flag(values['json']);
  if (relation !== undefined) {
    const tree = await namespaceTree(relation, { type });
    // the tree is drawn in the NS column, which then aligns left
    const columns = [{ heading: 'NS' }, ...COLUMNS.slice(1)];
    process.stdout.write(json ? `${JSON.stringify({ namespaces: treeJson(tree) }, null, 2)}\n` : formatTable(columns, treeRows(tree)));
    return 0;
  }
  const rows = await listNamespaces({ type });
  process.stdout.write(json ? `${JSON.stringify({ namespaces: rows }, null, 2)}\n` : formatTable(COLUMNS, rows.map((r) => cells(r, String(r.ns)))));
  return 0;
}
