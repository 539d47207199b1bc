/**
 * Networks between sandboxes (`nsrun network`, `--network NAME`): a bridge per network and a veth
 * pair per sandbox, made by the helper with rtnetlink. As root the bridge is in the network
 * namespace nsrun runs in; otherwise in the net namespace of a hub, held like a kept sandbox.
 * Each network is recorded in `.networks/NAME` under the state root of kept sandboxes: its record,
 * a lease file per address given out, and a copy of its hosts file per sandbox, its /etc/hosts.
 * node:os is loaded only when a network is created: `nsrun -- cmd` loads this module too, and
 * would pay for it at every start.
 */
import { closeSync, constants as fsConstants, existsSync, ftruncateSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BridgeSpec, HelperConfig, IdMapLine, MountEntry, NetworkAttachment, NetworkConfig } from './config.js';
import { EXIT, fromHelperError, NsrunError, usageError, invalidValue } from './errors.js';
import { runHelperOnce } from './helper-once.js';
import type { IdMaps } from './idmaps.js';
import { ensureStateRoot, holdNamespaces, namespaceInode, processStat, releaseHeld, runningHolder, trustedStateRoot, withStateLock } from './keep.js';
import { processContext, type SystemContext } from './system.js';
import { hubBackend, NETWORK_MODES } from './network.js';

/** What a network name may be: a letter or digit, then up to 10 letters, digits, `_` or `-`, so that its bridge's name fits IFNAMSIZ. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,10}$/;

/** A network's bridge is `nsr-NAME`. */
const BRIDGE_PREFIX = 'nsr-';

/** Where networks are recorded under the state root (a sandbox name cannot start with a dot). */
const NETWORKS = '.networks';
const RECORD = 'network.json';
const LEASES = 'leases';
const HOSTS = 'hosts';
/** A rootless network with a backend: its sandboxes' resolv.conf, naming the backend's resolver. */
const RESOLV_CONF = 'resolv.conf';
const HUB = 'hub';

/** Without --subnet, the first of 10.89.0.0/24 … 10.89.255.0/24 that clashes with nothing. */
const DEFAULT_POOL = { base: (10 << 24) | (89 << 16), prefix: 24, count: 256 } as const;

/** How long a claimed address stays taken before its veth exists: the claimer is setting the sandbox up. */
const CLAIM_MS = 30_000;

/** How long `network rm` waits for the links of sandboxes that just ended, which the kernel frees asynchronously. */
const DETACH_WAIT_MS = 2000;

const LOCALHOST = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';

/** An IPv4 network: its first address (as an unsigned 32-bit number) and prefix length. */
interface Subnet {
  readonly base: number;
  readonly prefix: number;
}

/** A network as recorded. */
export interface Network {
  readonly name: string;
  /** `A.B.C.D/N`. */
  readonly subnet: string;
  /** The bridge's address, each sandbox's default route. */
  readonly gateway: string;
  readonly bridge: string;
  readonly createdAt: string;
  readonly dir: string;
  /** As root: the inode of the network namespace the bridge is in. */
  readonly netns?: number;
}

/** A sandbox attached to a network. */
export interface NetworkMember {
  /** `A.B.C.D/N`. */
  readonly address: string;
  /** The veth's end on the bridge. */
  readonly link: string;
  /** The kept sandbox's name, which the others resolve. */
  readonly name?: string;
}

/** A network, its hub's holder (without root) and its sandboxes. */
export interface NetworkStatus extends Network {
  readonly hub?: number;
  readonly sandboxes: readonly NetworkMember[];
}

/** An address given out: a lease file, named by the address. */
interface Lease extends NetworkMember {
  /** The process that claimed it, and its start time. */
  readonly pid: number;
  readonly start: string;
  readonly claimedAt: number;
}

function setupError(message: string, hint?: string, cause?: unknown): NsrunError {
  return new NsrunError(message, { step: 'network', exitCode: EXIT.setup, hint, cause });
}

/** Validates a network name. */
export function validateNetworkName(name: string): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw usageError(`invalid network name '${String(name)}': expected a letter or digit, then up to 10 letters, digits, '_' or '-'`);
  }
  if ((NETWORK_MODES as readonly string[]).includes(name)) throw usageError(`invalid network name '${name}': it is a mode of --network`);
  return name;
}

function parseAddress(text: string): number | undefined {
  // no leading zeros: inet_aton(3) would read 010 as octal 8
  const parts = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(text)?.slice(1).map(Number);
  if (parts === undefined || parts.some((p) => p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

function lastAddress(subnet: Subnet): number {
  return subnet.base + 2 ** (32 - subnet.prefix) - 1;
}

function formatSubnet(subnet: Subnet): string {
  return `${formatAddress(subnet.base)}/${subnet.prefix}`;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Validates `--subnet`: an IPv4 unicast network A.B.C.D/N, N from 8 to 30, without host bits. */
export function parseSubnet(text: string): Subnet {
  const accepts = 'expected an IPv4 network A.B.C.D/N with N from 8 to 30, such as 10.89.0.0/24';
  const [address, prefixText, ...rest] = typeof text === 'string' ? text.split('/') : [];
  const base = parseAddress(address ?? '');
  const prefix = /^[1-9]\d?$/.test(prefixText ?? '') ? Number(prefixText) : NaN;
  if (base === undefined || rest.length > 0 || !(prefix >= 8 && prefix <= 30)) throw invalidValue('--subnet', text, accepts);
  const first = base >>> 24;
  if (first === 0 || first === 127 || first >= 224) throw invalidValue('--subnet', text, 'expected a unicast range: not 0/8, 127/8 (loopback) or 224/3 and above');
  const network = (base & maskOf(prefix)) >>> 0;
  if (network !== base) throw invalidValue('--subnet', text, `its host bits are set: did you mean ${formatSubnet({ base: network, prefix })}?`);
  return { base, prefix };
}

function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** The networks' directory under the state root; undefined when there is none yet. */
function networksRoot(system: SystemContext): string | undefined {
  const root = trustedStateRoot(system);
  return root === undefined ? undefined : join(root, NETWORKS);
}

function readNetwork(dir: string): Network | undefined {
  try {
    const value = JSON.parse(readFileSync(join(dir, RECORD), 'utf8')) as Network;
    return typeof value.name === 'string' && typeof value.subnet === 'string' && typeof value.bridge === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function recordedNetworks(system: SystemContext): Network[] {
  const root = networksRoot(system);
  if (root === undefined || !existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => NAME_PATTERN.test(name))
    .sort()
    .flatMap((name) => readNetwork(join(root, name)) ?? []);
}

/** The inode of the network namespace this process is in. */
function currentNetns(): number {
  return namespaceInode('/proc/self/ns/net') ?? 0;
}

/** Whether some process is in the network namespace of this inode (one no process is in is gone, with its links). */
function netnsInUse(inode: number): boolean {
  return readdirSync('/proc').some((entry) => /^\d+$/.test(entry) && namespaceInode(`/proc/${entry}/ns/net`) === inode);
}

/** Whether a root network's bridge went with its network namespace, which no process is in any more. */
function bridgeGone(network: Network): boolean {
  return network.netns !== undefined && network.netns !== currentNetns() && !netnsInUse(network.netns);
}

/** The names of the links in the network's namespace: this one as root, the hub's otherwise. */
function linksOf(network: Network): Set<string> {
  const holder = network.netns === undefined ? runningHolder(join(network.dir, HUB))?.holder : undefined;
  const file = network.netns === undefined ? (holder === undefined ? undefined : `/proc/${holder}/net/dev`) : '/proc/self/net/dev';
  let text = '';
  try {
    text = file === undefined ? '' : readFileSync(file, 'utf8');
  } catch {
    // the hub is gone: no link is left
  }
  return new Set(text.split('\n').flatMap((line) => (line.includes(':') ? [line.split(':')[0]?.trim() ?? ''] : [])));
}

function readLease(file: string): Lease | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Lease;
    return typeof value.link === 'string' && typeof value.address === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an address is taken: its veth exists, or its claimer still runs and claimed it a moment ago. */
function leaseLive(lease: Lease, links: ReadonlySet<string>): boolean {
  return links.has(lease.link) || (Date.now() - lease.claimedAt < CLAIM_MS && processStat(lease.pid)?.start === lease.start);
}

function liveLeases(network: Network): Lease[] {
  const links = linksOf(network);
  const dir = join(network.dir, LEASES);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => parseAddress(file) !== undefined)
    .flatMap((file) => readLease(join(dir, file)) ?? [])
    .filter((lease) => leaseLive(lease, links));
}

function members(network: Network): NetworkMember[] {
  const links = linksOf(network);
  return liveLeases(network)
    .filter((lease) => links.has(lease.link))
    .map(({ address, link, name }) => (name === undefined ? { address, link } : { address, link, name }));
}

/** The copy of the network's hosts file that the sandbox of this link has on /etc/hosts. */
function hostsCopy(network: Network, link: string): string {
  return join(network.dir, HOSTS, link);
}

/** The mount of that copy on /etc/hosts. */
function hostsMount(network: Network, link: string): MountEntry {
  return { type: 'bind', source: hostsCopy(network, link), destination: '/etc/hosts', 'read-only': true };
}

/** The hosts file of a network: localhost, then each kept sandbox attached, by name. */
function hostsText(leases: readonly Lease[]): string {
  const entries = leases.flatMap((lease) => (lease.name === undefined ? [] : [`${lease.address.split('/')[0] ?? ''}\t${lease.name}\n`]));
  return LOCALHOST + entries.sort().join('');
}

/** Writes the copy of `link`'s sandbox in place: bound on its /etc/hosts, which pins the inode. */
function writeHostsCopy(network: Network, link: string, text: string): void {
  const fd = openSync(hostsCopy(network, link), fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, 0o644);
  try {
    const length = writeSync(fd, text, 0);
    ftruncateSync(fd, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Rewrites each sandbox's copy of the network's hosts file and removes the copies of sandboxes
 * that are gone. A copy per sandbox, as podman gives each container its own: root in a sandbox's
 * user namespace may remount its /etc/hosts writable, and so change only its own.
 */
function writeHosts(network: Network): void {
  const leases = liveLeases(network);
  const text = hostsText(leases);
  for (const { link } of leases) writeHostsCopy(network, link, text);
  const live = new Set(leases.map((lease) => lease.link));
  for (const file of readdirSync(join(network.dir, HOSTS)).filter((name) => !live.has(name))) rmSync(hostsCopy(network, file), { force: true });
}

/** Every network of the caller, with its sandboxes. */
export function listNetworks(system: SystemContext = processContext()): NetworkStatus[] {
  return recordedNetworks(system).map((network) => {
    const hub = network.netns === undefined ? runningHolder(join(network.dir, HUB))?.holder : undefined;
    return { ...network, ...(hub === undefined ? {} : { hub }), sandboxes: members(network) };
  });
}

/** A usage error naming what `subnet` clashes with: another network, or an address of this network namespace. */
function checkConflicts(subnet: Subnet, networks: readonly Network[]): void {
  for (const other of networks.filter((n) => !bridgeGone(n))) {
    if (overlaps(subnet, parseSubnet(other.subnet))) {
      throw usageError(`subnet ${formatSubnet(subnet)} overlaps ${other.subnet} of network '${other.name}'`, 'choose another --subnet');
    }
  }
  for (const [link, addresses] of Object.entries(process.getBuiltinModule('node:os').networkInterfaces())) {
    for (const { family, cidr } of addresses ?? []) {
      const [address, prefix] = (cidr ?? '').split('/');
      const base = parseAddress(address ?? '');
      if (family !== 'IPv4' || base === undefined) continue;
      const own = { base: (base & maskOf(Number(prefix))) >>> 0, prefix: Number(prefix) };
      if (overlaps(subnet, own)) {
        throw usageError(`subnet ${formatSubnet(subnet)} overlaps ${cidr ?? ''} of ${link} in this network namespace`, 'choose another --subnet');
      }
    }
  }
}

/** The first /24 of the default pool that clashes with nothing. */
function freeSubnet(networks: readonly Network[]): Subnet {
  for (let i = 0; i < DEFAULT_POOL.count; i++) {
    const subnet = { base: DEFAULT_POOL.base + i * 256, prefix: DEFAULT_POOL.prefix };
    try {
      checkConflicts(subnet, networks);
      return subnet;
    } catch {
      // taken: try the next
    }
  }
  throw setupError('every subnet of 10.89.0.0/16 is taken', 'name one with --subnet');
}

/** Runs the helper alone for a bridge of this network namespace (`bridge`, `remove-bridge`). */
async function runBridgeHelper(document: Pick<HelperConfig, 'bridge' | 'remove-bridge'>, system: SystemContext): Promise<void> {
  const output = await runHelperOnce({ version: 1, ...document });
  const failure = output.lines.find((line) => 'error' in line);
  if (failure !== undefined) throw fromHelperError(failure['error'], { config: { version: 1, command: [], namespaces: [], env: [], ...document }, system });
  if (output.exitCode !== 0) throw setupError(`the helper exited with status ${output.exitCode ?? 'unknown'}`);
}

/**
 * The hub of a rootless network: a holder of new user and net namespaces (the caller is 0 inside)
 * that makes the bridge; with a backend (and a mount namespace it asks for), which the hub routes
 * the bridge's subnet out through.
 */
function hubConfig(bridge: BridgeSpec, backend: NetworkConfig | undefined, system: SystemContext): HelperConfig {
  return {
    version: 1,
    command: [],
    env: [],
    namespaces: backend === undefined ? ['user', 'net'] : ['user', 'net', 'mnt'],
    network: backend,
    'uid-map': [[0, system.euid, 1]],
    'gid-map': [[0, system.egid, 1]],
    setgroups: 'deny',
    bridge,
  };
}

/**
 * Records the network `name` on `subnet` (else the first free /24 of 10.89.0.0/16) in a new
 * directory of `root`: refuses a name taken and a subnet that overlaps another network or an
 * address of this network namespace. Run under the state lock, so that two creates at once
 * cannot both choose the same subnet.
 */
function recordNetwork(name: string, requested: Subnet | undefined, root: string, system: SystemContext): Network {
  const networks = recordedNetworks(system);
  if (networks.some((n) => n.name === name)) throw usageError(`a network named '${name}' exists already (see nsrun network ls)`);
  const subnet = requested ?? freeSubnet(networks);
  checkConflicts(subnet, networks);
  const dir = join(root, name);
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw usageError(`a network named '${name}' exists already (see nsrun network ls)`);
    throw error;
  }
  const gateway = formatAddress(subnet.base + 1);
  const network: Network = {
    name,
    subnet: formatSubnet(subnet),
    gateway,
    bridge: `${BRIDGE_PREFIX}${name}`,
    createdAt: new Date().toISOString(),
    dir,
    ...(system.euid === 0 ? { netns: currentNetns() } : {}),
  };
  try {
    // recorded first: a bridge made by a create that was killed is found and removed by network rm
    writeFileSync(join(dir, RECORD), `${JSON.stringify(network, null, 2)}\n`, { mode: 0o644 });
    mkdirSync(join(dir, LEASES), { mode: 0o755 });
    mkdirSync(join(dir, HOSTS), { mode: 0o755 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return network;
}

/**
 * Makes the network `name` on `subnet` (else the first free /24 of 10.89.0.0/16): records it
 * (see recordNetwork), then makes its bridge (as root here, otherwise in a new hub, whose backend
 * connects it outward when it can: `isolated` says why not). Nothing is left when it fails.
 */
export async function createNetwork(name: string, subnetText?: string, system: SystemContext = processContext()): Promise<Network & { readonly isolated?: string }> {
  validateNetworkName(name);
  const requested = subnetText === undefined ? undefined : parseSubnet(subnetText);
  const root = join(ensureStateRoot(system), NETWORKS);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const network = await withStateLock(system, () => recordNetwork(name, requested, root, system));
  const bridge: BridgeSpec = { name: network.bridge, address: `${network.gateway}/${network.subnet.split('/')[1] ?? ''}` };
  try {
    if (system.euid === 0) {
      await runBridgeHelper({ bridge }, system);
    } else {
      const backend = hubBackend(system);
      if ('unavailable' in backend) {
        mkdirSync(join(network.dir, HUB), { mode: 0o755 });
        await holdNamespaces(`${name}.hub`, join(network.dir, HUB), hubConfig(bridge, undefined, system), system);
        return { ...network, isolated: backend.unavailable };
      }
      writeFileSync(join(network.dir, RESOLV_CONF), backend.resolvConf, { mode: 0o644 });
      mkdirSync(join(network.dir, HUB), { mode: 0o755 });
      await holdNamespaces(`${name}.hub`, join(network.dir, HUB), hubConfig(bridge, backend.network, system), system);
    }
    return network;
  } catch (error) {
    if (system.euid === 0 && !(error instanceof NsrunError && error.code === 'EEXIST')) await runBridgeHelper({ 'remove-bridge': bridge.name }, system).catch(() => undefined);
    rmSync(network.dir, { recursive: true, force: true });
    throw error;
  }
}

/** The network `name`, checked usable from here: a usage error if there is none, a setup error if its bridge cannot be reached. */
function findNetwork(name: string, system: SystemContext): Network {
  validateNetworkName(name);
  const root = networksRoot(system);
  const network = root === undefined ? undefined : readNetwork(join(root, name));
  if (network === undefined) {
    throw usageError(`no network named '${name}' (see nsrun network ls)`, `--network takes ${NETWORK_MODES.join(', ')}, sandbox:NAME or the name of a network`);
  }
  if (network.netns !== undefined && network.netns !== currentNetns()) {
    throw setupError(`the bridge of network '${name}' is in network namespace ${network.netns}, not in this one (${currentNetns()})`, 'run nsrun where the network was made');
  }
  if (network.netns === undefined && runningHolder(join(network.dir, HUB)) === undefined) {
    throw setupError(`the hub of network '${name}' is gone`, `nsrun network rm ${name} removes what is left`);
  }
  return network;
}

/**
 * A lease of the address `n` for this process, with a new link name: 32 random bits, which need
 * only not clash with a link of the bridge's namespace (else EEXIST), not be secret; Math.random
 * spares loading node:crypto (3 ms) at every attach.
 */
function leaseFor(n: number, subnet: Subnet): Lease {
  const link = `nsv${Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')}`;
  return { address: `${formatAddress(n)}/${subnet.prefix}`, link, pid: process.pid, start: processStat(process.pid)?.start ?? '', claimedAt: Date.now() };
}

function fullError(network: Network): NsrunError {
  return setupError(`network '${network.name}' is full: every address of ${network.subnet} is taken`, `nsrun network ls shows its sandboxes; a larger --subnet holds more`);
}

/** The lowest free address of the network (the gateway's excepted), claimed by nothing: what a dry run shows. */
function nextAddress(network: Network): Lease {
  const subnet = parseSubnet(network.subnet);
  const links = linksOf(network);
  for (let n = subnet.base + 2; n < lastAddress(subnet); n++) {
    const held = readLease(join(network.dir, LEASES, formatAddress(n)));
    if (held === undefined || !leaseLive(held, links)) return leaseFor(n, subnet);
  }
  throw fullError(network);
}

/** Takes the lowest free address of the network (the gateway's excepted), or throws a setup error naming it full. */
function claimAddress(network: Network): Lease {
  const subnet = parseSubnet(network.subnet);
  let links: Set<string> | undefined; // read once, and only when an address is found taken
  const linksNow = (): Set<string> => (links ??= linksOf(network));
  for (let n = subnet.base + 2; n < lastAddress(subnet); n++) {
    const file = join(network.dir, LEASES, formatAddress(n));
    const lease = leaseFor(n, subnet);
    const text = `${JSON.stringify(lease)}\n`;
    try {
      writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
      return lease;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = readLease(file);
    if (held !== undefined && leaseLive(held, linksNow())) continue;
    // a stale lease: set aside by one taker only (rename), put back if another had just claimed it
    const aside = `${file}.${process.pid}`;
    try {
      renameSync(file, aside);
    } catch {
      continue;
    }
    const taken = readLease(aside);
    if (taken !== undefined && leaseLive(taken, linksNow())) {
      try {
        linkSync(aside, file);
      } finally {
        rmSync(aside, { force: true });
      }
      continue;
    }
    rmSync(aside, { force: true });
    try {
      writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
      return lease;
    } catch {
      // claimed meanwhile by another: the next address
    }
  }
  throw fullError(network);
}

/** What a sandbox on a network adds to its config: the link to make, and its copy of the network's hosts file on /etc/hosts (and resolv.conf, through a hub's backend). */
export interface NetworkResolution {
  readonly network: NetworkAttachment;
  readonly hosts: MountEntry;
  readonly resolvConf: MountEntry | undefined;
  /** Without root: the sandbox's user namespace is made inside the hub's, where the caller is 0. */
  readonly throughHub: boolean;
}

/**
 * Resolves `--network NAME` for a new sandbox: finds the network, takes the next free address
 * of its subnet (a veth of the sandbox's holds it, so it is free again once the sandbox ends),
 * and says how to link the sandbox to the bridge. With `claim` false (a dry run) it shows the
 * address it would take and takes nothing. Only the new sandbox's copy of the hosts file is
 * written: a sandbox without a name adds no entry (nameMember, forgetMember rewrite every copy).
 */
export function resolveNetwork(name: string, claim: boolean, system: SystemContext = processContext()): NetworkResolution {
  const network = findNetwork(name, system);
  const hub = network.netns === undefined ? runningHolder(join(network.dir, HUB)) : undefined;
  const lease = claim ? claimAddress(network) : nextAddress(network);
  if (claim) writeHostsCopy(network, lease.link, hostsText(liveLeases(network)));
  return {
    network: {
      bridge: network.bridge,
      link: lease.link,
      address: lease.address,
      gateway: network.gateway,
      ...(hub === undefined ? {} : { hub: { pid: hub.holder, net: hub.namespaces.net ?? 0 } }),
    },
    hosts: hostsMount(network, lease.link),
    resolvConf: existsSync(join(network.dir, RESOLV_CONF)) ? { type: 'bind', source: join(network.dir, RESOLV_CONF), destination: '/etc/resolv.conf', 'read-only': true } : undefined,
    throughHub: hub !== undefined,
  };
}

/**
 * The id maps of a sandbox made inside a hub's user namespace, where only the caller's own ids
 * are mapped (to 0): each line must map the caller's id, which becomes 0 there.
 */
export function mapsThroughHub(name: string, maps: IdMaps, system: SystemContext): IdMaps {
  const refused = usageError(`--network ${name} without root maps only your own ids: the hub's user namespace holds no other`, 'leave out --map auto, --uid-map and --gid-map');
  if (maps.newuidmap !== undefined || maps.newgidmap !== undefined) throw refused;
  const translate = (map: readonly IdMapLine[], own: number): IdMapLine[] =>
    map.map(([inside, outside, count]) => {
      if (outside !== own || count !== 1) throw refused;
      return [inside, 0, 1] as const;
    });
  return { ...maps, 'uid-map': translate(maps['uid-map'], system.euid), 'gid-map': translate(maps['gid-map'], system.egid) };
}

/** The network whose bridge `attachment` names. */
function networkOf(attachment: NetworkAttachment, system: SystemContext): Network | undefined {
  const root = networksRoot(system);
  return root === undefined ? undefined : readNetwork(join(root, attachment.bridge.slice(BRIDGE_PREFIX.length)));
}

/**
 * The /etc/hosts of the kept sandbox `name` when it is on a network, for a sandbox that shares its
 * network namespace (`--network sandbox:NAME`) and so resolves the names it does, as in a pod.
 */
export function memberHosts(name: string, system: SystemContext = processContext()): MountEntry | undefined {
  for (const network of recordedNetworks(system)) {
    const lease = liveLeases(network).find((l) => l.name === name);
    if (lease !== undefined) return hostsMount(network, lease.link);
  }
  return undefined;
}

/**
 * Frees the address of a sandbox that has ended (its net namespace, and with it its veth, goes
 * with its last process): removes its lease, unless another took the address meanwhile. Without
 * it a process that runs many sandboxes (the API) would hold each address for CLAIM_MS.
 */
export function releaseAddress(attachment: NetworkAttachment, system: SystemContext = processContext()): void {
  const network = networkOf(attachment, system);
  if (network === undefined) return;
  const file = join(network.dir, LEASES, attachment.address.split('/')[0] ?? '');
  rmSync(hostsCopy(network, attachment.link), { force: true });
  const aside = `${file}.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // gone already
  }
  try {
    if (readLease(aside)?.link !== attachment.link) linkSync(aside, file);
  } catch {
    // claimed again meanwhile: that lease stays
  } finally {
    rmSync(aside, { force: true });
  }
}

/** Gives the kept sandbox `name` its address's name in the network's hosts file, which every sandbox on it reads. */
export function nameMember(attachment: NetworkAttachment, name: string, system: SystemContext = processContext()): void {
  const network = networkOf(attachment, system);
  if (network === undefined) return;
  const file = join(network.dir, LEASES, attachment.address.split('/')[0] ?? '');
  const lease = readLease(file);
  if (lease === undefined || lease.link !== attachment.link) return;
  writeFileSync(`${file}.${process.pid}`, `${JSON.stringify({ ...lease, name })}\n`, { mode: 0o644 });
  renameSync(`${file}.${process.pid}`, file);
  writeHosts(network);
}

/** Takes the kept sandbox `name` out of every network's hosts file, once it is removed. */
export function forgetMember(name: string, system: SystemContext = processContext()): void {
  for (const network of recordedNetworks(system)) {
    const dir = join(network.dir, LEASES);
    const named = existsSync(dir) ? readdirSync(dir).filter((file) => readLease(join(dir, file))?.name === name) : [];
    for (const file of named) rmSync(join(dir, file), { force: true });
    if (named.length > 0) writeHosts(network);
  }
}

/** The network's sandboxes, once those that have just ended have lost their links (at most DETACH_WAIT_MS). */
async function attachedAfterWait(network: Network): Promise<NetworkMember[]> {
  const deadline = Date.now() + DETACH_WAIT_MS;
  for (;;) {
    const attached = members(network);
    if (attached.length === 0 || Date.now() > deadline) return attached;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Removes the network `name`: refused while sandboxes are attached unless `force`, which unlinks
 * them (they run on without it). As root deletes the bridge and every link on it, otherwise ends
 * the hub (and with its net namespace every link in it); then the record, leases and hosts file.
 */
export async function removeNetwork(name: string, force: boolean, system: SystemContext = processContext()): Promise<void> {
  validateNetworkName(name);
  const root = networksRoot(system);
  const dir = root === undefined ? undefined : join(root, name);
  if (dir === undefined || !existsSync(dir)) throw usageError(`no network named '${name}' (see nsrun network ls)`);
  const network = readNetwork(dir);
  const here = network?.netns === undefined || network.netns === currentNetns();
  const gone = network !== undefined && bridgeGone(network);
  if (network !== undefined && here && !force) {
    const attached = await attachedAfterWait(network);
    if (attached.length > 0) {
      const who = attached.map((m) => m.name ?? m.address.split('/')[0] ?? '').join(', ');
      throw usageError(`network '${name}' has ${attached.length} sandbox${attached.length === 1 ? '' : 'es'} attached: ${who}`, `stop them first, or nsrun network rm --force ${name} unlinks them`);
    }
  }
  if (system.euid === 0 && network !== undefined && !here && !gone) {
    throw setupError(`the bridge of network '${name}' is in network namespace ${network.netns ?? '?'}, not in this one (${currentNetns()})`, 'run nsrun network rm where the network was made');
  }
  if (system.euid === 0 && !gone) await runBridgeHelper({ 'remove-bridge': `${BRIDGE_PREFIX}${name}` }, system);
  else if (existsSync(join(dir, HUB))) await releaseHeld(`${name}.hub`, join(dir, HUB));
  rmSync(dir, { recursive: true, force: true });
}
