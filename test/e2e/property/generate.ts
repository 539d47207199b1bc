// Random combinations of sandbox options, valid and invalid, for the command line and for the API,
// from a seeded PRNG: the same seed gives the same cases.

/** A PRNG (mulberry32): numbers in [0, 1) from a 32-bit seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Picks from a PRNG. */
export interface Pick {
  one<T>(items: readonly T[]): T;
  /** Whether an event of probability p happens. */
  chance(p: number): boolean;
  /** Some of `items`, each with probability p, in their order. */
  some<T>(items: readonly T[], p: number): T[];
}

export function picker(random: () => number): Pick {
  const one = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  return { one, chance, some: (items, p) => items.filter(() => chance(p)) };
}

const FLAG_WORDS = ['uts', 'ipc', 'pid', 'ns', 'net', 'user', 'cgroup', 'time'];
const NAME = /^[a-z][a-z0-9-]{0,9}$/;

/** A hostname the kernel takes. */
function name(pick: Pick): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  const text = `h${Array.from({ length: pick.one([0, 3, 9]) }, () => pick.one([...letters])).join('')}`;
  return NAME.test(text) ? text : 'h';
}

/** What the command does: exit with a status. Absolute, so that `--clear-env` (no PATH) finds it. */
export const STATUSES = [0, 0, 3] as const;

/** One command-line option and its value(s), valid. */
type CliOption = (pick: Pick) => string[];

const VALID_CLI: readonly CliOption[] = [
  (p) => ['--flags', p.chance(0.1) ? 'all' : p.some(FLAG_WORDS, 0.4).join(',') || 'uts'],
  (p) => ['--hostname', name(p)],
  (p) => ['--domainname', name(p)],
  (p) => ['--map', p.one(['root', 'current'])],
  (p) => ['--uid', p.one(['0', '65534'])],
  (p) => ['--gid', p.one(['0', '65534'])],
  (p) => ['--propagation', p.one(['private', 'slave'])],
  () => ['--no-proc'],
  (p) => ['--cwd', p.one(['/', '/tmp'])],
  (p) => ['--env', `PROP_${p.one(['A', 'B'])}=${name(p)}`],
  () => ['--clear-env'],
  () => ['--init'],
  (p) => ['--stop-timeout', p.one(['0', '3'])],
  (p) => ['--cap-drop', p.one(['NET_RAW', 'all', 'cap_sys_admin,CHOWN'])],
  (p) => ['--cap-add', p.one(['NET_ADMIN', 'SYS_TIME'])],
  () => ['--allow-new-privs'],
  (p) => ['--tmpfs', p.one(['/tmp', '/mnt:size=1m'])],
  (p) => ['--ro-bind', p.one(['/etc:/etc', '/usr:/usr'])],
  () => ['--dev'],
  (p) => ['--time-offset', p.one(['monotonic=5', 'boottime=-3,monotonic=1'])],
];

/** One command-line option with a value it refuses (exit 2, whatever else is given). */
const INVALID_CLI: readonly CliOption[] = [
  (p) => ['--flags', p.one(['bogus', '', 'all,uts', 'uts,,pid', 'uts\nfake'])],
  (p) => ['--hostname', p.one(['', 'x'.repeat(65)])],
  (p) => ['--map', p.one(['everything', '', 'ROOT'])],
  (p) => ['--uid', p.one(['-1', 'x', '1.5', '4294967296'])],
  (p) => ['--propagation', p.one(['bogus', 'Private'])],
  (p) => ['--cwd', p.one(['', 'x'.repeat(5000)])],
  (p) => ['--env', p.one(['NOEQUALS', '=value'])],
  (p) => ['--stop-timeout', p.one(['-1', 'abc', '99999999'])],
  (p) => ['--cap-drop', p.one(['NOPE', 'NET_RAW,,'])],
  (p) => ['--tmpfs', p.one(['relative', '/x:size=abc', '/'])],
  (p) => ['--bind', p.one(['nocolon', ':/x', '/etc:relative'])],
  (p) => ['--time-offset', p.one(['foo=1', 'monotonic=x', ''])],
  (p) => ['--uid-map', p.one(['x', '0:0', '0:0:0'])],
  (p) => [p.one(['--bogus', '--flag', '-Z'])],
  (p) => ['--preserve-fds', p.one(['-1', 'many'])],
  () => ['--hostname'], // the value is missing: the command's path is taken as the value, then no command
];

/** A command-line case: nsrun's arguments, whether one of them is invalid, and the status the command exits with. */
export interface CliCase {
  readonly args: readonly string[];
  readonly invalid: boolean;
  readonly status: number;
}

/** The command of a case: /bin/sh exiting with `status`, `marker` in its arguments to find its processes. */
export function commandOf(status: number, marker: string): string[] {
  return ['/bin/sh', '-c', `exit ${status}`, marker];
}

/**
 * A random command-line case: some valid options, and with probability 1/2 an invalid one after
 * them (a repeated option keeps its last value, and an option missing its value takes the next
 * word, so that an invalid one comes last stays invalid).
 */
export function cliCase(pick: Pick, marker: string): CliCase {
  const options = pick.some(VALID_CLI, 0.15).map((option) => option(pick));
  const invalid = pick.chance(0.5);
  const bad = invalid ? pick.one(INVALID_CLI)(pick) : [];
  const status = pick.one(STATUSES);
  // without `--`, `--hostname` takes the command's path as its value, and `-c` is then an unknown option
  const args = [...options.flat(), ...bad, ...(bad.length === 1 && bad[0] === '--hostname' ? [] : ['--']), ...commandOf(status, marker)];
  return { args, invalid, status };
}

/** Values of every type a caller may pass by mistake. */
const WRONG_TYPES: readonly unknown[] = [123, 'x', [], [5], {}, null, true, [{}], 'FOO=bar', -1];

/** API options with valid values, as [key, value]. */
const VALID_API: readonly ((pick: Pick) => [string, unknown])[] = [
  (p) => ['flags', p.chance(0.5) ? p.some(FLAG_WORDS, 0.4).join(',') || 'uts' : [p.one(['uts', 'ipc', 'pid', 'mnt', 'net', 'cgroup'])]],
  (p) => ['hostname', name(p)],
  (p) => ['map', p.one(['root', 'current'])],
  (p) => ['uid', p.one([0, '0', 65534])],
  (p) => ['proc', p.chance(0.5)],
  (p) => ['cwd', p.one(['/', '/tmp'])],
  (p) => ['env', p.chance(0.5) ? { PROP_A: name(p) } : [`PROP_B=${name(p)}`]],
  (p) => ['clearEnv', p.chance(0.5)],
  (p) => ['init', p.chance(0.5)],
  (p) => ['stopTimeout', p.one([0, '2'])],
  (p) => ['capDrop', [p.one(['NET_RAW', 'all'])]],
  (p) => ['mounts', [p.one([{ type: 'tmpfs', destination: '/tmp' }, { type: 'bind', source: '/etc', destination: '/etc', readOnly: true }, { type: 'dev' }])]],
  (p) => ['timeOffset', p.one(['monotonic=5', { boottime: 2 }])],
  (p) => ['reject', p.chance(0.5)],
  (p) => ['stdio', p.one(['pipe', 'ignore', ['ignore', 'pipe', 'pipe']])],
  (p) => ['timeout', p.one([0, 20_000])],
  (p) => ['maxBuffer', p.one([1, 1024, 100_000_000])],
  (p) => ['buffer', p.chance(0.5)],
  (p) => ['input', p.one(['text', new Uint8Array([1, 2])])],
];

/** The keys whose wrong-type values a case may give. */
const API_KEYS = [
  'flags', 'map', 'uidMap', 'gidMap', 'uid', 'gid', 'propagation', 'proc', 'hostname', 'domainname', 'timeOffset', 'cwd', 'env',
  'clearEnv', 'init', 'preserveFds', 'stopTimeout', 'allowNewPrivs', 'capDrop', 'capAdd', 'rootfs', 'readOnly', 'mounts',
  'reject', 'stdio', 'stdin', 'stdout', 'stderr', 'input', 'timeout', 'signal', 'maxBuffer', 'buffer',
];

/** Invalid API options: a wrong type (never one the key accepts), a value the option refuses, or an unknown key. */
const INVALID_API: readonly ((pick: Pick) => [string, unknown])[] = [
  (p) => {
    const key = p.one(API_KEYS);
    const wrong = WRONG_TYPES.filter((value) => !accepts(key, value));
    return [key, p.one(wrong)];
  },
  (p) => p.one<[string, unknown]>([['flags', 'bogus'], ['hostname', 'x'.repeat(65)], ['uid', -1], ['stopTimeout', 1e9], ['capDrop', ['NOPE']], ['timeout', -5], ['maxBuffer', 0], ['stdin', 999], ['env', { '': 'x' }]]),
  (p) => [p.one(['hostnme', 'Flags', 'kill', 'detached']), 'x'],
];

/** Whether `key` takes `value`'s type anyway (then it is no wrong type for it). */
function accepts(key: string, value: unknown): boolean {
  if (value === true) return ['proc', 'clearEnv', 'init', 'allowNewPrivs', 'readOnly', 'reject', 'buffer'].includes(key);
  if (typeof value === 'number') return ['uid', 'gid', 'preserveFds', 'stopTimeout', 'timeout', 'maxBuffer', 'stdin', 'stdout', 'stderr', 'stdio'].includes(key);
  if (typeof value === 'string') return ['flags', 'map', 'uid', 'gid', 'propagation', 'hostname', 'domainname', 'timeOffset', 'cwd', 'preserveFds', 'stopTimeout', 'rootfs', 'input'].includes(key);
  if (Array.isArray(value) && value.length === 0) return ['uidMap', 'gidMap', 'env', 'capDrop', 'capAdd', 'mounts'].includes(key);
  if (Array.isArray(value) && typeof value[0] === 'object') return ['uidMap', 'gidMap', 'mounts'].includes(key);
  if (Array.isArray(value)) return ['uidMap', 'gidMap'].includes(key) && value.every((line) => Array.isArray(line));
  if (value !== null && typeof value === 'object') return ['env', 'timeOffset'].includes(key);
  return false;
}

/** An API case: the options (as JSON can carry them, Uint8Array aside), whether one is invalid, the status the command exits with. */
export interface ApiCase {
  readonly options: Readonly<Record<string, unknown>>;
  readonly invalid: boolean;
  readonly status: number;
}

export function apiCase(pick: Pick): ApiCase {
  const entries = pick.some(VALID_API, 0.2).map((option) => option(pick));
  const invalid = pick.chance(0.5);
  if (invalid) entries.push(pick.one(INVALID_API)(pick));
  return { options: Object.fromEntries(entries), invalid, status: pick.one(STATUSES) };
}
