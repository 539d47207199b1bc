/** `nsrun network create|ls|rm`: networks between sandboxes, which `nsrun run --network NAME` attaches to. */
import { usageError } from '../errors.js';
import { createNetwork, listNetworks, removeNetwork, validateNetworkName } from '../bridge.js';
import type { HelpPage } from './help.js';
import { flag, lastString, parseOptions } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';
import { formatTable } from './table.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'subnet', type: 'string', description: 'create: the IPv4 network A.B.C.D/N (N 8..30); the first free 10.89.X.0/24 otherwise' },
  { name: 'json', type: 'boolean', description: 'ls: print JSON: {"networks": [...]}' },
  { name: 'force', alias: 'f', type: 'boolean', description: 'rm: also while sandboxes are attached, which lose their link' },
  HELP_OPTION,
];

export const help: HelpPage = {
  usage: 'network create NAME [--subnet CIDR] | network ls [--json] | network rm [--force] NAME...',
  description:
    'Networks between sandboxes: a bridge, whose address is the first of the subnet, and for each sandbox run with --network NAME a veth pair, ' +
    'its end inside named eth0 with the next free address and a default route to the bridge. The kept sandboxes (run --name) on a network ' +
    "resolve one another by name: the network's hosts file is each one's /etc/hosts. As root the bridge (nsr-NAME) is in the network namespace " +
    "nsrun runs in; otherwise in a hub, a network namespace of your own held as kept sandboxes are. rm is refused while sandboxes are attached, unless --force. " +
    'Exit status: 0; 2 for a bad name or subnet, a subnet that overlaps another network or an address here, a name taken or unknown, sandboxes attached; 125 when it cannot be set up, or the subnet is full.',
  options: OPTIONS,
  examples: [
    ['nsrun network create lab --subnet 10.89.7.0/24', 'a network lab'],
    ['nsrun run --name web --network lab -- server', 'a sandbox on it, which the others on lab reach as web'],
    ['nsrun network rm lab', 'remove it (nsrun network ls lists them): no bridge, hub, link or file is left'],
  ],
};

async function create(names: readonly string[], subnet: string | undefined): Promise<number> {
  const [name, extra] = names;
  if (name === undefined) throw usageError('network create needs the name of the network');
  if (extra !== undefined) throw usageError(`network create takes one name, got also '${extra}'`);
  const network = await createNetwork(name, subnet);
  process.stdout.write(`${network.name} ${network.subnet}\n`);
  if (network.isolated !== undefined) process.stderr.write(`nsrun: warning: network ${network.name} reaches no further than its sandboxes: ${network.isolated}\n`);
  return 0;
}

function list(names: readonly string[], json: boolean): number {
  if (names[0] !== undefined) throw usageError(`network ls takes no argument, got '${names[0]}'`);
  const networks = listNetworks();
  if (json) {
    process.stdout.write(`${JSON.stringify({ networks }, null, 2)}\n`);
    return 0;
  }
  const rows = networks.map((n) => [
    n.name,
    n.subnet,
    n.gateway,
    n.hub === undefined ? n.bridge : `${n.bridge} (hub ${n.hub})`,
    n.sandboxes.map((s) => `${s.name ?? '-'}=${s.address.split('/')[0] ?? ''}`).join(',') || '-',
    n.createdAt,
  ]);
  const columns = ['NAME', 'SUBNET', 'GATEWAY', 'BRIDGE', 'SANDBOXES', 'CREATED'].map((heading) => ({ heading }));
  process.stdout.write(formatTable(columns, rows));
  return 0;
}

async function remove(names: readonly string[], force: boolean): Promise<number> {
  if (names.length === 0) throw usageError('network rm needs the name of a network (see nsrun network ls)');
  for (const name of names) validateNetworkName(name);
  for (const name of names) await removeNetwork(name, force);
  return 0;
}

/** Reads options wherever they come among the action and names (`network create lab --subnet ...`), as ip and podman do. */
function parseAnywhere(argv: readonly string[]): { values: Record<string, unknown>; positionals: string[] } {
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let words = argv; words.length > 0; ) {
    const parsed = parseOptions(words, OPTIONS);
    Object.assign(values, parsed.values);
    const [first, ...rest] = parsed.positionals;
    if (first === undefined) break;
    positionals.push(first);
    words = rest;
  }
  return { values, positionals };
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseAnywhere(argv);
  const [action, ...names] = positionals;
  const subnet = lastString(values['subnet']);
  if (subnet !== undefined && action !== 'create') throw usageError('--subnet goes with network create');
  switch (action) {
    case 'create':
      return create(names, subnet);
    case 'ls':
      return list(names, flag(values['json']));
    case 'rm':
      return remove(names, flag(values['force']));
    case undefined:
      throw usageError('network needs an action: create, ls or rm (see nsrun network --help)');
    default:
      throw usageError(`unknown network action '${action}': expected create, ls or rm`);
  }
}
