/** The order of options across their kinds, which the parser's per-option arrays lose: mounts apply in the order given. */
import { parseBind, parseTmpfs, type MountSpec } from '../mounts.js';
import type { OptionSpec } from './spec.js';

/** The options that add a mount, in the order they apply. */
const MOUNT_OPTIONS = ['bind', 'ro-bind', 'tmpfs', 'dev'] as const;

/**
 * The long names of the options of `names` as argv gives them, once per occurrence, up to the
 * command; `argv` has already been read without error against `specs`.
 */
export function optionOrder(argv: readonly string[], specs: readonly OptionSpec[], names: readonly string[]): string[] {
  const order: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--' || !word.startsWith('-') || word === '-') break;
    const long = word.startsWith('--');
    const name = long ? word.slice(2).split('=')[0] : word.slice(1);
    const spec = specs.find((o) => (long ? o.name === name : o.alias === name));
    if (spec === undefined) continue;
    if (spec.type !== 'boolean' && !word.includes('=')) i++; // its value is the next word
    if (names.includes(spec.name)) order.push(spec.name);
  }
  return order;
}

/** The mounts of a command line, in the order given: `--bind`, `--ro-bind`, `--tmpfs`, `--dev` (once). */
export function commandLineMounts(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  values: Readonly<Record<string, unknown>>,
): MountSpec[] | undefined {
  const queues = new Map(MOUNT_OPTIONS.map((name) => [name, Array.isArray(values[name]) ? values[name].map(String) : []]));
  const mounts: MountSpec[] = [];
  let dev = false;
  for (const name of optionOrder(argv, specs, MOUNT_OPTIONS)) {
    if (name === 'dev') {
      if (!dev) mounts.push({ type: 'dev' });
      dev = true;
      continue;
    }
    const value = queues.get(name as (typeof MOUNT_OPTIONS)[number])?.shift() ?? '';
    mounts.push(name === 'tmpfs' ? parseTmpfs(value) : parseBind(name === 'bind' ? '--bind' : '--ro-bind', value));
  }
  return mounts.length === 0 ? undefined : mounts;
}
