/** The options of `nsrun [run]`: one table read by the command-line parser, the help text, the man page and the completions. */
import { CAPABILITIES } from '../capabilities.js';
import { MAP_MODES } from '../idmaps.js';
import { NAMESPACES } from '../namespaces.js';
import { DEFAULTS, PROPAGATIONS } from '../options.js';

/** How an option takes its value: `array` options may be repeated and collect every value. */
export type OptionType = 'string' | 'boolean' | 'number' | 'array';

/**
 * What the completion scripts offer for an option's value or a command's operands: a few words
 * (a comma list of them with `list`), kept sandboxes, process ids, directories, files, a command
 * and its arguments, or nothing (`none`: a value nothing can guess, a name, a number).
 */
export type Completion =
  | { readonly words: readonly string[]; readonly list?: true }
  | 'sandbox'
  | 'pid'
  | 'directory'
  | 'file'
  | 'command'
  | 'none';

/** One command-line option. */
export interface OptionSpec {
  /** The long name, without `--`. */
  readonly name: string;
  /** A one-letter alias, without `-`. */
  readonly alias?: string;
  readonly type: OptionType;
  /** One line for the help text. */
  readonly description: string;
  /** The values it accepts, when they are few. */
  readonly choices?: readonly string[];
  /** Its default as the help text shows it. */
  readonly default?: string;
  /** What its value completes to; by default its `choices`, else nothing. */
  readonly completes?: Completion;
  /** The value it takes when given without one: last, or followed by `--` or another option (`--network -- sh`). */
  readonly implied?: string;
}

/** The words `--flags` takes, as a comma list. */
export const FLAG_LIST: Completion = { words: [...NAMESPACES.flatMap((k) => k.words), 'all'], list: true };

/** The words `--cap-drop` and `--cap-add` take, as a comma list. */
export const CAPABILITY_LIST: Completion = { words: [...CAPABILITIES, 'all'], list: true };

const FLAG_WORDS = FLAG_LIST.words.join(',');

/** Every option of `nsrun [run]`, in the order help lists them. */
export const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: 'flags', type: 'string', description: `namespaces to create, comma-separated: ${FLAG_WORDS}`, default: DEFAULTS.flags, completes: FLAG_LIST },
  {
    name: 'map',
    type: 'string',
    description: 'your ids inside a new user namespace: 0, your own, or 0 plus your /etc/subuid range',
    choices: MAP_MODES,
    default: DEFAULTS.map,
  },
  { name: 'uid-map', type: 'array', description: 'a uid map line INSIDE:OUTSIDE:COUNT (repeatable; overrides --map)' },
  { name: 'gid-map', type: 'array', description: 'a gid map line INSIDE:OUTSIDE:COUNT (repeatable; overrides --map)' },
  { name: 'uid', type: 'number', description: 'the uid the command runs as' },
  { name: 'gid', type: 'number', description: 'the gid the command runs as' },
  {
    name: 'propagation',
    type: 'string',
    description: 'mount propagation of / in the new mount namespace',
    choices: PROPAGATIONS,
    default: DEFAULTS.propagation,
  },
  { name: 'no-proc', type: 'boolean', description: 'do not mount a new /proc (mounted when there are new pid and mount namespaces)' },
  { name: 'hostname', type: 'string', description: 'the hostname in the new UTS namespace' },
  { name: 'domainname', type: 'string', description: 'the NIS domain name in the new UTS namespace' },
  { name: 'time-offset', type: 'string', description: 'clock offsets in seconds, monotonic=N,boottime=N (adds time)' },
  { name: 'cwd', type: 'string', description: 'the working directory of the command', completes: 'directory' },
  { name: 'env', type: 'array', description: 'set KEY=VALUE in the environment of the command (repeatable)' },
  { name: 'clear-env', type: 'boolean', description: 'start from an empty environment instead of yours' },
  { name: 'init', type: 'boolean', description: 'run a minimal init as PID 1 and the command as PID 2' },
  { name: 'preserve-fds', type: 'number', description: 'pass file descriptors 3 to N+2 to the command' },
  {
    name: 'stop-timeout',
    type: 'number',
    description: 'seconds the command has to end after SIGTERM/SIGINT/SIGHUP/SIGQUIT before it is killed',
    default: String(DEFAULTS.stopTimeout),
  },
  { name: 'allow-new-privs', type: 'boolean', description: 'let exec gain privileges (setuid, file capabilities); no_new_privs is set otherwise' },
  { name: 'cap-drop', type: 'array', description: 'drop capabilities, e.g. NET_RAW,SYS_ADMIN or all (repeatable)', completes: CAPABILITY_LIST },
  { name: 'cap-add', type: 'array', description: 'keep or give capabilities, e.g. NET_ADMIN (repeatable; ambient for a uid other than 0)', completes: CAPABILITY_LIST },
  { name: 'rootfs', type: 'string', description: 'DIR becomes / (pivot_root; the old root is detached; adds ns)', completes: 'directory' },
  { name: 'bind', type: 'array', description: 'SRC:DST binds the host path SRC on DST inside (repeatable; mounts apply in the order given)', completes: 'file' },
  { name: 'ro-bind', type: 'array', description: 'SRC:DST binds SRC on DST read-only, submounts included (repeatable)', completes: 'file' },
  { name: 'tmpfs', type: 'array', description: 'DST[:size=N[k|m|g]] mounts a new tmpfs on DST (repeatable)', completes: 'directory' },
  { name: 'dev', type: 'boolean', description: 'a minimal /dev: null, zero, full, random, urandom, tty, a private devpts, shm' },
  { name: 'read-only', type: 'boolean', description: 'remount the new root read-only once everything is mounted (needs --rootfs)' },
  {
    name: 'network',
    type: 'string',
    description: 'none (only lo), host (no network namespace), pasta or slirp4netns (its own network reaching out), auto (the best installed), sandbox:NAME (a kept sandbox\'s), or NAME of nsrun network create (eth0 on its bridge); without a value (before -- or another option), auto',
    implied: 'auto',
  },
  { name: 'publish', alias: 'p', type: 'array', description: '[IP:]HOST_PORT:SANDBOX_PORT[/tcp|/udp] forwards ports into the sandbox (repeatable; ranges N-M)' },
  { name: 'host-loopback', type: 'boolean', description: "let the sandbox reach the loopback of nsrun's network namespace (off: it exposes local services)" },
  { name: 'dry-run', type: 'boolean', description: 'print the helper config as JSON and run nothing' },
  { name: 'name', type: 'string', description: 'keep the namespaces under this name after the command ends (nsrun ps, exec --name, rm)' },
  {
    name: 'status-fd',
    type: 'string',
    description: 'write JSON Lines status (child pid, namespaces, exit) to fd N, or - for stderr',
  },
  { name: 'help', alias: 'h', type: 'boolean', description: 'show this help' },
  { name: 'version', alias: 'V', type: 'boolean', description: 'show the version' },
];

/** `--help`, which every command takes. */
export const HELP_OPTION: OptionSpec = { name: 'help', alias: 'h', type: 'boolean', description: 'show this help' };

/** Examples for the help text: a command line and what it does. */
export const EXAMPLES: readonly (readonly [string, string])[] = [
  ['nsrun -- sh', 'a shell in new UTS, IPC, PID, mount, network and cgroup namespaces'],
  ['nsrun --flags uts --hostname box -- hostname', 'prints box; the host keeps its name'],
  ['nsrun --rootfs ./rootfs --dev --flags all -- /bin/sh', 'a shell in a container of its own, its / the directory ./rootfs (make rootfs)'],
];

/** The environment variables nsrun reads, for its help and its man page. */
export const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['NSRUN_HELPER', "the helper executable to run instead of the package's libexec/nsrun-helper (a static build of the same version)"],
  ['NO_COLOR', 'when set and not empty, no colour in the output of doctor (no-color.org)'],
  ['FORCE_COLOR', 'colour even when the output is not a terminal: 1, 2, 3, true or empty; never with 0 or false; it wins over NO_COLOR, as in Node and chalk'],
  ['XDG_RUNTIME_DIR', 'where a user other than root keeps sandboxes: $XDG_RUNTIME_DIR/nsrun, else /tmp/nsrun-UID (root: /run/nsrun)'],
  ['SHELL', 'the shell nsrun completion writes for when none is named'],
];

/** The help page of `nsrun [run]`, which is also nsrun's own. */
export const RUN_HELP = {
  usage: '[run] [options] [--] command [args...]',
  description: 'Run a command in new Linux namespaces.',
  options: RUN_OPTIONS,
  examples: EXAMPLES,
  environment: ENVIRONMENT,
  operands: 'command',
  epilogue:
    'Without root, user is added to the namespaces: creating the others needs CAP_SYS_ADMIN.\n' +
    "Exit status: the command's; 128+n when it died of signal n; 2 for a usage error; " +
    '125 when the sandbox could not be set up; 126 when the command cannot be executed; 127 when it is not found.',
} as const;
