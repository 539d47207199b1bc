/** The id maps of a new user namespace: reading, checking, and choosing them for the caller. */
import { isAbsolute, join } from 'node:path';
import { LIMITS, type IdMapLine } from './config.js';
import { EXIT, invalidValue, NsrunError, usageError } from './errors.js';
import type { SystemContext } from './system.js';

/** How the caller's ids map into a new user namespace. */
export type MapMode = 'root' | 'current' | 'auto' | 'isolated';

/** Every map mode, in the order help lists them. */
export const MAP_MODES: readonly MapMode[] = ['root', 'current', 'auto', 'isolated'];

const LINE_FORMAT = 'expected INSIDE:OUTSIDE:COUNT, non-negative integers with COUNT at least 1';

function isMapNumber(n: unknown, min: number): n is number {
  return Number.isSafeInteger(n) && Number(n) >= min && Number(n) <= LIMITS.maxId + 1;
}

/** Reads one map line, given as `IN:OUT:COUNT` or as a triple. */
function readLine(option: string, line: IdMapLine | string): IdMapLine {
  const fields = typeof line === 'string' ? line.split(':').map((f) => (/^\d+$/.test(f) ? Number(f) : NaN)) : line;
  const [inside, outside, count] = fields;
  if (
    fields.length !== 3 ||
    !isMapNumber(inside, 0) ||
    !isMapNumber(outside, 0) ||
    !isMapNumber(count, 1)
  ) {
    throw invalidValue(option, line, LINE_FORMAT);
  }
  if (inside + count - 1 > LIMITS.maxId || outside + count - 1 > LIMITS.maxId) {
    throw invalidValue(option, line, `the range runs past id ${LIMITS.maxId}`);
  }
  return [inside, outside, count];
}

/** Shows a line as the command line writes it. */
function showLine([inside, outside, count]: IdMapLine): string {
  return `${inside}:${outside}:${count}`;
}

function overlap(a: number, b: number, count: number, otherCount: number): boolean {
  return a < b + otherCount && b < a + count;
}

/**
 * Checks a whole map (`--uid-map` or `--gid-map`): 1 to 340 lines, each in range,
 * no two overlapping inside or outside.
 */
export function validateIdMap(option: string, lines: readonly (IdMapLine | string)[]): IdMapLine[] {
  if (lines.length === 0 || lines.length > LIMITS.mapLines) {
    throw usageError(`invalid ${option}: ${lines.length} lines given, 1 to ${LIMITS.mapLines} allowed`);
  }
  const map = lines.map((line) => readLine(option, line));
  map.forEach((line, i) => {
    for (const earlier of map.slice(0, i)) {
      for (const [side, at] of [['inside', 0], ['outside', 1]] as const) {
        if (overlap(line[at], earlier[at], line[2], earlier[2])) {
          throw usageError(`invalid ${option}: lines ${showLine(earlier)} and ${showLine(line)} overlap ${side}`);
        }
      }
    }
  });
  return map;
}

/** Whether `id` is one of the inside ids of `map`. */
export function isMapped(map: readonly IdMapLine[], id: number): boolean {
  return map.some(([inside, , count]) => id >= inside && id < inside + count);
}

/** The inside ids of `map`, as ranges such as `0, 1-65536`. */
export function insideIds(map: readonly IdMapLine[]): string {
  return map.map(([inside, , count]) => (count === 1 ? `${inside}` : `${inside}-${inside + count - 1}`)).join(', ');
}

/** The name of the user with uid `uid` in /etc/passwd, if there is one. */
function userName(system: SystemContext, uid: number): string | undefined {
  for (const line of (system.readFile('/etc/passwd') ?? '').split('\n')) {
    const [name, , id] = line.split(':');
    if (name !== undefined && id === String(uid)) return name;
  }
  return undefined;
}

/** A range of subordinate ids, as /etc/subuid and /etc/subgid grant them. */
export interface SubordinateRange {
  readonly start: number;
  readonly count: number;
}

/** The ranges of `/etc/subuid` or `/etc/subgid` (lines `user:start:count`), with their owners. */
function subordinateRanges(file: string, system: SystemContext): (SubordinateRange & { readonly owner: string })[] {
  const ranges: (SubordinateRange & { readonly owner: string })[] = [];
  for (const line of (system.readFile(file) ?? '').split('\n')) {
    const [owner, start, count, ...rest] = line.trim().split(':');
    if (owner === undefined || rest.length > 0) continue;
    if (start === undefined || count === undefined || !/^\d+$/.test(start) || !/^[1-9]\d*$/.test(count)) continue;
    ranges.push({ owner, start: Number(start), count: Number(count) });
  }
  return ranges;
}

/**
 * The caller's range in `/etc/subuid` or `/etc/subgid` (user by name or uid), for `--map auto`
 * and `--map isolated`; a setup error names the file when there is none.
 */
export function subordinateRange(kind: 'uid' | 'gid', system: SystemContext): SubordinateRange {
  const file = `/etc/sub${kind}`;
  const name = userName(system, system.euid);
  const owners = [String(system.euid), ...(name === undefined ? [] : [name])];
  const own = subordinateRanges(file, system).find((range) => owners.includes(range.owner));
  if (own !== undefined) return { start: own.start, count: own.count };
  throw new NsrunError(`no subordinate ${kind} range for ${name === undefined ? 'uid' : 'user'} ${owners.at(-1)} in ${file}`, {
    step: 'id-maps',
    exitCode: EXIT.setup,
    detail: file,
    hint: `add one with usermod --add-sub${kind}s 100000-165535 ${name ?? '<user>'}`,
  });
}

/**
 * The host ids nsrun claims for `--map isolated` when root has no subordinate range of its own:
 * 0x70000000 and the 65535 after it, above systemd's container ranges and below 2^31.
 */
export const ISOLATED_RANGE: SubordinateRange = { start: 0x7000_0000, count: 65_536 };

/**
 * The host range `--map isolated` maps the sandbox's ids 0… into: root's own range in
 * /etc/subuid or /etc/subgid, else ISOLATED_RANGE once no user, group or subordinate range
 * of the host uses it; anyone else's subordinate range. A setup error says why there is none.
 */
function isolatedRange(kind: 'uid' | 'gid', system: SystemContext): SubordinateRange {
  const file = `/etc/sub${kind}`;
  if (system.euid !== 0 || subordinateRanges(file, system).some((r) => r.owner === '0' || r.owner === 'root')) {
    return subordinateRange(kind, system);
  }
  const { start, count } = ISOLATED_RANGE;
  const ids = (system.readFile(kind === 'uid' ? '/etc/passwd' : '/etc/group') ?? '').split('\n').map((line) => Number(line.split(':')[2]));
  const taken = ids.some((id) => id >= start && id < start + count)
    ? (kind === 'uid' ? '/etc/passwd' : '/etc/group')
    : subordinateRanges(file, system).some((r) => overlap(r.start, start, r.count, count)) ? file : undefined;
  if (taken === undefined) return ISOLATED_RANGE;
  throw new NsrunError(`--map isolated: host ${kind}s ${start}-${start + count - 1} are in use (${taken})`, {
    step: 'id-maps',
    exitCode: EXIT.setup,
    detail: taken,
    hint: `give root a range of its own: usermod --add-sub${kind}s 200000000-200065535 root`,
  });
}

/**
 * The absolute path of `newuidmap` or `newgidmap`, looked up on PATH (as podman does);
 * a setup error says how to install it when it is not there.
 */
export function findMapProgram(program: 'newuidmap' | 'newgidmap', system: SystemContext): string {
  const dirs = (system.env['PATH'] ?? '').split(':').filter((dir) => isAbsolute(dir));
  const found = dirs.map((dir) => join(dir, program)).find((path) => system.isExecutable(path));
  if (found !== undefined) return found;
  throw new NsrunError(`${program} not found on PATH`, {
    step: 'id-maps',
    exitCode: EXIT.setup,
    detail: program,
    hint: 'install the uidmap package',
  });
}

/** What the caller asked of the maps of its new user namespace. */
export interface MapRequest {
  readonly mode: MapMode;
  readonly uidMap: readonly (IdMapLine | string)[] | undefined;
  readonly gidMap: readonly (IdMapLine | string)[] | undefined;
}

/** The map members of the config. */
export interface IdMaps {
  readonly 'uid-map': readonly IdMapLine[];
  readonly 'gid-map': readonly IdMapLine[];
  readonly newuidmap: string | undefined;
  readonly newgidmap: string | undefined;
  readonly setgroups: 'allow' | 'deny' | undefined;
}

/** The map a mode gives for the caller's id `id` (its euid or egid). */
function modeMap(kind: 'uid' | 'gid', mode: MapMode, id: number, system: SystemContext): IdMapLine[] {
  switch (mode) {
    case 'root':
      return [[0, id, 1]];
    case 'current':
      return [[id, id, 1]];
    case 'auto': {
      const { start, count } = subordinateRange(kind, system);
      return [[0, id, 1], [1, start, count]];
    }
    case 'isolated': {
      const { start, count } = isolatedRange(kind, system);
      return [[0, start, count]];
    }
  }
}

/**
 * Chooses the id maps: explicit `--uid-map`/`--gid-map` lines, else those of `--map`.
 * Unprivileged callers write only their own id (with setgroups denied, as the kernel
 * requires) or, with `--map auto`, go through newuidmap/newgidmap.
 */
export function chooseIdMaps(request: MapRequest, system: SystemContext): IdMaps {
  const privileged = system.euid === 0;
  const programs = (request.mode === 'auto' || request.mode === 'isolated') && !privileged;
  const newuidmap = programs ? findMapProgram('newuidmap', system) : undefined;
  const newgidmap = programs ? findMapProgram('newgidmap', system) : undefined;
  const mapOf = (kind: 'uid' | 'gid', lines: MapRequest['uidMap'], id: number): IdMapLine[] =>
    lines === undefined
      ? validateIdMap(`--map ${request.mode}`, modeMap(kind, request.mode, id, system))
      : validateIdMap(`--${kind}-map`, lines);
  return {
    'uid-map': mapOf('uid', request.uidMap, system.euid),
    'gid-map': mapOf('gid', request.gidMap, system.egid),
    newuidmap,
    newgidmap,
    setgroups: privileged ? 'allow' : programs ? undefined : 'deny',
  };
}
