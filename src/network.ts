/** `--network` and `--publish`: which network a sandbox has, and the backend that connects it. */
import { accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { NetworkConfig } from './config.js';
import { EXIT, invalidValue, NsrunError, usageError } from './errors.js';
import type { SystemContext } from './system.js';

/** The user-mode backends, best first: `auto` takes the first one installed. */
export const BACKENDS = ['pasta', 'slirp4netns'] as const;
export type Backend = (typeof BACKENDS)[number];

/** The modes of `--network` besides `sandbox:NAME`. */
export const NETWORK_MODES = ['none', 'host', 'auto', ...BACKENDS] as const;

/** The package of each backend, as Debian and Fedora name it. */
export const BACKEND_PACKAGES: Readonly<Record<Backend, string>> = { pasta: 'passt', slirp4netns: 'slirp4netns' };

/** Where programs are looked for after PATH, as the helper does (a caller's PATH may be empty). */
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The addresses inside the sandbox where each backend answers DNS, forwarding to the resolver of nsrun's namespace. */
const DNS_ADDRESS: Readonly<Record<Backend, string>> = { pasta: '169.254.1.1', slirp4netns: '10.0.2.3' };

/** What `--network` asks for, once read. */
export type NetworkChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'host' }
  | {
      readonly kind: 'backend';
      readonly backend: Backend;
      readonly program: string;
      /** With `auto`: the next backend installed, started should this one fail. */
      readonly fallback?: { readonly backend: Backend; readonly program: string } | undefined;
    }
  /** The network namespace of the kept sandbox `name` (podman's pods). */
  | { readonly kind: 'sandbox'; readonly name: string }
  /** A network made by `nsrun network create` (src/bridge.ts): a veth pair onto its bridge. */
  | { readonly kind: 'bridge'; readonly name: string };

/** One `--publish` entry: host ports onto sandbox ports. */
export interface PublishedPorts {
  readonly address: string | undefined;
  readonly host: readonly [first: number, last: number];
  readonly sandbox: readonly [first: number, last: number];
  readonly protocol: 'tcp' | 'udp';
}

/** The absolute path of `program` on PATH or in the usual directories, if installed. */
export function findProgram(program: string, system: SystemContext): string | undefined {
  const dirs = [...(system.env['PATH'] ?? '').split(':').filter((dir) => isAbsolute(dir)), ...DEFAULT_PATH];
  return dirs.map((dir) => join(dir, program)).find((path) => system.isExecutable(path));
}

/** Whether this user may open /dev/net/tun, which both backends need (0600 on some machines). */
export function tunUsable(): boolean {
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A setup error (exit 125) for a backend that is not installed. */
function notInstalled(backends: readonly Backend[]): NsrunError {
  const what = backends.length === 1 ? `${backends.join('')} is not installed` : `neither ${backends.join(' nor ')} is installed`;
  const packages = backends.map((b) => BACKEND_PACKAGES[b]).join(' or ');
  return new NsrunError(`cannot connect the sandbox's network: ${what}`, {
    step: 'network',
    exitCode: EXIT.setup,
    hint: `install the ${packages} package (apt-get install ${backends.map((b) => BACKEND_PACKAGES[b]).join(' ')})`,
  });
}

/** Reads `--network`: a mode, `auto` resolved to the best backend installed, else the name of a network of `nsrun network create`. */
export function chooseNetwork(value: string, system: SystemContext): NetworkChoice {
  if (value === 'none' || value === 'host') return { kind: value };
  if (value.startsWith('sandbox:')) return { kind: 'sandbox', name: value.slice('sandbox:'.length) };
  const wanted: readonly Backend[] = value === 'auto' ? BACKENDS : BACKENDS.filter((b) => b === value);
  if (wanted.length === 0) return { kind: 'bridge', name: value };
  const installed = wanted.flatMap((backend) => {
    const program = findProgram(backend, system);
    return program === undefined ? [] : [{ backend, program }];
  });
  const [first, next] = installed;
  if (first === undefined) throw notInstalled(wanted);
  return { kind: 'backend', ...first, fallback: next };
}

/** A port or a range of ports, `N` or `N-M`, within 1..65535. */
function portRange(text: string, shown: string): readonly [number, number] {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const first = Number(match?.[1]);
  const last = match?.[2] === undefined ? first : Number(match[2]);
  if (match === null || first < 1 || last > 65535 || last < first) {
    throw invalidValue('--publish', shown, 'expected [IP:]HOST_PORT:SANDBOX_PORT[/tcp|/udp], ports or ranges N-M from 1 to 65535');
  }
  return [first, last];
}

/** Reads one `--publish` entry, as podman writes it: `[IP:]HOST_PORT:SANDBOX_PORT[/tcp|/udp]`, with ranges. */
export function parsePublish(entry: string): PublishedPorts {
  const accepts = 'expected [IP:]HOST_PORT:SANDBOX_PORT[/tcp|/udp], e.g. 8080:80 or 127.0.0.1:5000-5001:5000-5001/udp';
  const slash = entry.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : entry.slice(slash + 1);
  if (protocol !== 'tcp' && protocol !== 'udp') throw invalidValue('--publish', entry, accepts);
  const parts = (slash < 0 ? entry : entry.slice(0, slash)).split(':');
  if (parts.length < 2 || parts.length > 3) throw invalidValue('--publish', entry, accepts);
  const [address, host, sandbox] = parts.length === 3 ? parts : [undefined, ...parts];
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address ?? '0.0.0.0');
  if (ipv4 === null || ipv4.slice(1).some((octet) => Number(octet) > 255)) {
    throw invalidValue('--publish', entry, `expected an IPv4 address before the host port; ${accepts}`);
  }
  const published = { address, host: portRange(host ?? '', entry), sandbox: portRange(sandbox ?? '', entry), protocol } as const;
  if (published.host[1] - published.host[0] !== published.sandbox[1] - published.sandbox[0]) {
    throw invalidValue('--publish', entry, 'the host and sandbox ranges must have as many ports');
  }
  return published;
}

/** A range as pasta and messages write it: `N` or `N-M`. */
function rangeText([first, last]: readonly [number, number]): string {
  return first === last ? String(first) : `${first}-${last}`;
}

/** The lines of the caller's resolv.conf that stay true inside (search domains, options), after the backend's resolver. */
function resolvConf(backend: Backend, system: SystemContext): string {
  const kept = (system.readFile('/etc/resolv.conf') ?? '')
    .split('\n')
    .filter((line) => /^(search|domain|options)\s/.test(line));
  return [`nameserver ${DNS_ADDRESS[backend]}`, ...kept].join('\n') + '\n';
}

/** The ports slirp4netns publishes, one a port as its API's add_hostfwd takes them: `PROTO:HOST_ADDR:HOST_PORT:SANDBOX_PORT`. */
function forwards(ports: readonly PublishedPorts[]): string[] {
  return ports.flatMap((p) =>
    Array.from({ length: p.host[1] - p.host[0] + 1 }, (_, i) => `${p.protocol}:${p.address ?? '0.0.0.0'}:${p.host[0] + i}:${p.sandbox[0] + i}`),
  );
}

/** The backend's command line, less the arguments naming the sandbox's namespaces, which the helper adds. */
function backendArguments(
  choice: { readonly backend: Backend; readonly program: string },
  ports: readonly PublishedPorts[],
  hostLoopback: boolean,
  euid: number,
): string[] {
  if (choice.backend === 'slirp4netns') {
    return [choice.program, '--configure', '--mtu=65520', ...(hostLoopback ? [] : ['--disable-host-loopback'])];
  }
  const forwards = (protocol: 'tcp' | 'udp'): string[] => {
    const mine = ports.filter((p) => p.protocol === protocol);
    if (mine.length === 0) return [protocol === 'tcp' ? '-t' : '-u', 'none'];
    return mine.flatMap((p) => [
      protocol === 'tcp' ? '-t' : '-u',
      `${p.address === undefined ? '' : `${p.address}/`}${rangeText(p.host)}:${rangeText(p.sandbox)}`,
    ]);
  };
  return [
    choice.program,
    '--config-net',
    '--foreground',
    '--quiet',
    '--dns-forward',
    DNS_ADDRESS.pasta,
    ...forwards('tcp'),
    ...forwards('udp'),
    // the outer namespace's loopback: through the gateway's address (map-gw) and the sandbox's own ports (-T/-U)
    ...(hostLoopback ? ['-T', 'auto', '-U', 'auto'] : ['--no-map-gw', '-T', 'none', '-U', 'none']),
    // as root pasta would switch to nobody, who cannot enter the sandbox's namespaces
    ...(euid === 0 ? ['--runas', '0'] : []),
  ];
}

/** The backend of a rootless network's hub, or why it has none (its sandboxes then reach no further than one another). */
export type HubBackend = { readonly network: NetworkConfig; readonly resolvConf: string } | { readonly unavailable: string };

/**
 * The backend of a rootless network's hub, and the resolv.conf of the sandboxes on it: slirp4netns,
 * which serves any address routed to its tap0 once the hub answers its ARP for them (proxy ARP),
 * with no NAT. None when it is not installed or this user cannot open /dev/net/tun: a network
 * that reaches no further than its hub is still one its sandboxes talk over, and `network create` says so.
 */
export function hubBackend(system: SystemContext): HubBackend {
  const program = findProgram('slirp4netns', system);
  if (program === undefined) return { unavailable: `slirp4netns is not installed (apt-get install ${BACKEND_PACKAGES.slirp4netns})` };
  if (!tunUsable()) return { unavailable: `uid ${system.euid} cannot open /dev/net/tun (as root: chmod 0666 /dev/net/tun, the mode most distributions ship)` };
  const argv = backendArguments({ backend: 'slirp4netns', program }, [], false, system.euid);
  return { network: { backend: 'slirp4netns', argv }, resolvConf: resolvConf('slirp4netns', system) };
}

/** The config members `network` and `network-fallback` for a backend; none for the other modes. */
export function networkConfig(
  choice: NetworkChoice,
  ports: readonly PublishedPorts[],
  hostLoopback: boolean,
  system: SystemContext,
): { network?: NetworkConfig; 'network-fallback'?: NetworkConfig } {
  if (choice.kind !== 'backend') {
    const shown = choice.kind === 'sandbox' ? `sandbox:${choice.name}` : choice.kind === 'bridge' ? choice.name : choice.kind;
    if (ports.length > 0) throw usageError(`--publish needs --network pasta, slirp4netns or auto, not ${shown}`);
    if (hostLoopback) throw usageError(`--host-loopback needs --network pasta, slirp4netns or auto, not ${shown}`);
    return {};
  }
  const entry = (backend: { readonly backend: Backend; readonly program: string }): NetworkConfig => ({
    backend: backend.backend,
    argv: backendArguments(backend, ports, hostLoopback, system.euid),
    'resolv-conf': resolvConf(backend.backend, system),
    ...(backend.backend === 'slirp4netns' && ports.length > 0 ? { forwards: forwards(ports) } : {}),
  });
  return { network: entry(choice), 'network-fallback': choice.fallback === undefined ? undefined : entry(choice.fallback) };
}
