/** The mounts of a command line: they apply in the order given, across the options that add them. */
import { parseBind, parseTmpfs, type MountSpec } from '../mounts.js';
import type { GivenOption } from './parse.js';

/** The mounts of the options given, in their order: `--bind`, `--ro-bind`, `--tmpfs`, `--dev` (once). */
export function commandLineMounts(given: readonly GivenOption[]): MountSpec[] | undefined {
  const mounts: MountSpec[] = [];
  let dev = false;
  for (const { name, value = '' } of given) {
    if (name === 'dev' && !dev) mounts.push({ type: 'dev' });
    if (name === 'dev') dev = true;
    if (name === 'tmpfs') mounts.push(parseTmpfs(value));
    if (name === 'bind' || name === 'ro-bind') mounts.push(parseBind(`--${name}`, value));
  }
  return mounts.length === 0 ? undefined : mounts;
}
