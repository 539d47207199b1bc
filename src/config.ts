/** The config document the helper reads, version 1 (docs/contract.md), and its limits. */
import type { NamespaceName } from './namespaces.js';

/** One line of an id map: `count` ids from `inside` map to ids from `outside`. */
export type IdMapLine = readonly [inside: number, outside: number, count: number];

/** How mounts under / propagate once the new mount namespace exists. */
export type Propagation = 'private' | 'slave' | 'shared' | 'unchanged';

/** Offsets in seconds of the clocks of a new time namespace. */
export interface TimeOffsets {
  readonly monotonic?: number;
  readonly boottime?: number;
}

/** A running process whose namespaces the command enters instead of creating any (`nsrun exec`). */
export interface JoinTarget {
  readonly pid: number;
  /** The namespaces to enter; absent: every one that differs from the helper's own. */
  readonly namespaces?: readonly NamespaceName[];
}
/** One entry of `mounts`, applied in order under the sandbox's root. */
export type MountEntry =
  | { readonly type: 'bind'; readonly source: string; readonly destination: string; readonly 'read-only'?: true }
  | { readonly type: 'tmpfs'; readonly destination: string; readonly size?: number }
  | { readonly type: 'dev'; readonly destination: string };

/** The user-mode backend that connects the sandbox's network namespace (`--network pasta|slirp4netns`). */
export interface NetworkConfig {
  readonly backend: 'pasta' | 'slirp4netns';
  /** Its program (absolute) and arguments; the helper adds those that name the sandbox's namespaces. */
  readonly argv: readonly string[];
  /** The sandbox's /etc/resolv.conf, mounted in its mount namespace. */
  readonly 'resolv-conf'?: string;
  /** slirp4netns: the ports the helper publishes through its API socket once it runs, `PROTO:HOST_ADDR:HOST_PORT:SANDBOX_PORT`, one port each. */
  readonly forwards?: readonly string[];
}

/** The network namespace of another process the sandbox enters (`--network sandbox:NAME`). */
export interface JoinedNetwork {
  readonly pid: number;
  /** Enter its user namespace first, and create no user namespace. */
  readonly user?: true | undefined;
}

/** The hub of a rootless network: the holder whose user and net namespaces the helper enters first. */
export interface HubTarget {
  readonly pid: number;
  /** The inode of its net namespace, which a reused pid does not have. */
  readonly net: number;
}

/** The sandbox's link to a network: a veth pair, `link` on the bridge, eth0 inside with `address`. */
export interface NetworkAttachment {
  readonly bridge: string;
  readonly link: string;
  /** `A.B.C.D/N`. */
  readonly address: string;
  /** `A.B.C.D`: the bridge's address, the default route. */
  readonly gateway: string;
  readonly hub?: HubTarget;
}

/** A bridge to create: alone (in the helper's net namespace) or in the new one of a holder. */
export interface BridgeSpec {
  readonly name: string;
  /** `A.B.C.D/N`. */
  readonly address: string;
}

/** The config document, exactly as the helper receives it. */
export interface HelperConfig {
  readonly version: 1;
  readonly command: readonly string[];
  readonly namespaces: readonly NamespaceName[];
  readonly 'uid-map'?: readonly IdMapLine[];
  readonly 'gid-map'?: readonly IdMapLine[];
  readonly newuidmap?: string;
  readonly newgidmap?: string;
  readonly setgroups?: 'allow' | 'deny';
  readonly uid?: number;
  readonly gid?: number;
  readonly propagation?: Propagation;
  readonly 'mount-proc'?: boolean;
  readonly 'mount-sys'?: boolean;
  readonly hostname?: string;
  readonly domainname?: string;
  readonly 'time-offsets'?: TimeOffsets;
  readonly cwd?: string;
  readonly env: readonly string[];
  readonly init?: boolean;
  readonly 'preserve-fds'?: number;
  readonly 'parent-pid'?: number;
  /** The program the helper executes to tell a setup failure, and its arguments (nsrun's node and script). */
  readonly explain?: readonly string[];
  readonly 'no-new-privs'?: boolean;
  /** The signals the caller ignores (numbers): the command, and the helper, ignore them too. */
  readonly 'ignored-signals'?: readonly number[];
  /** Seconds from a relayed stop signal to SIGKILL. */
  readonly 'stop-timeout'?: number;
  /** The capabilities kept (numbers); absent: the sets are left alone. */
  readonly capabilities?: readonly number[];
  /** Enter the namespaces of this process; `namespaces` is then empty. */
  readonly join?: JoinTarget;
  /** The directory that becomes the sandbox's / (pivot_root). */
  readonly rootfs?: string;
  /** The new root is remounted read-only. */
  readonly 'read-only'?: true;
  /** Binds, tmpfs and /dev mounts, in order. */
  readonly mounts?: readonly MountEntry[];
  /** The network backend the helper starts once the namespaces exist, before the command. */
  readonly network?: NetworkConfig;
  /** The backend started instead should `network` fail (`--network auto`: slirp4netns after pasta). */
  readonly 'network-fallback'?: NetworkConfig | undefined;
  /** Enter this process's network namespace (and user namespace) before creating the others. */
  readonly 'join-network'?: JoinedNetwork | undefined;
  /** Attach the sandbox to a bridge network (`--network NAME`) with a veth pair. */
  readonly veth?: NetworkAttachment;
  /** Create a bridge (stands alone, or with `keep` and a new net namespace: a rootless hub). */
  readonly bridge?: BridgeSpec;
  /** Delete a bridge and its ports; stands alone. */
  readonly 'remove-bridge'?: string;
  /** Take an exclusive flock on this fd, which the caller keeps open, and exit; stands alone. */
  readonly 'lock-fd'?: number;
}

/** The limits of the contract, shared by the validators and the helper spawner. */
export const LIMITS = {
  /** Bytes of the whole document. */
  configBytes: 16 * 1024 * 1024,
  /** Entries of `command`. */
  commandArgs: 4096,
  /** Bytes of a path, including `command[0]` (PATH_MAX less its NUL). */
  pathBytes: 4095,
  /** Bytes of one argument or environment entry (the kernel's MAX_ARG_STRLEN). */
  argBytes: 128 * 1024,
  /** Entries of `env`. */
  envEntries: 65536,
  /** Lines of `uid-map` or `gid-map` (the kernel's limit). */
  mapLines: 340,
  /** The highest id a map may reach (2^32 - 1 is no id). */
  maxId: 2 ** 32 - 2,
  /** Bytes of `hostname` and `domainname`. */
  utsNameBytes: 64,
  /**
   * The largest time offset, in seconds, either way: the kernel keeps an offset clock from 0 to
   * KTIME_SEC_MAX / 2 seconds (kernel/time/namespace.c), so no offset beyond that can be right.
   */
  timeOffsetSeconds: 4_611_686_018,
  /** `preserve-fds`. */
  preservedFds: 1024,
  /** `stop-timeout`, in seconds (a day). */
  stopTimeoutSeconds: 86400,
  /** Entries of `mounts`. */
  mounts: 256,
  /** The largest `size` of a tmpfs, in bytes (1 PiB). */
  tmpfsBytes: 2 ** 50,
} as const;
