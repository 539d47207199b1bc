/**
 * Every sandbox option by the name the API gives it: the names the command line gives it, and the
 * JavaScript type it takes. The validators of options.ts check values and name options as the
 * command line does; the API checks types here first, and names options its own way.
 */
import { NsrunError, usageError } from './errors.js';
import type { NsrunOptions } from './options.js';

/** One option of the library: its command-line names and the type of value it takes. */
export interface OptionRow {
  /** The command-line options that set it (`--bind` and others for `mounts`). */
  readonly cli: readonly string[];
  /** The type of value it takes, as a message says it. */
  readonly accepts: string;
  /** Whether a value has that type; the validator of the option checks the value itself. */
  readonly is: (value: unknown) => boolean;
}

export const isString = (value: unknown): boolean => typeof value === 'string';
export const isBoolean = (value: unknown): boolean => typeof value === 'boolean';
export const isNumber = (value: unknown): boolean => typeof value === 'number';
const isNumberOrString = (value: unknown): boolean => isNumber(value) || isString(value);
const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every(isString);
const isRecord = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const isIdMap = (value: unknown): boolean => Array.isArray(value) && value.every((line) => isString(line) || Array.isArray(line));

/** The members each type of mount takes (MountSpec); a misspelt one (`readonly`) would be lost silently. */
const MOUNT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  bind: ['type', 'source', 'destination', 'readOnly'],
  tmpfs: ['type', 'destination', 'size'],
  dev: ['type', 'destination'],
};

/** Whether a value is a mount object with only the members of its type; an unknown type is left to validateMounts. */
function isMount(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const members = MOUNT_MEMBERS[String((value as { type?: unknown }).type)];
  return members === undefined || Object.keys(value as object).every((key) => members.includes(key));
}

const STRING = { accepts: 'a string', is: isString } as const;
const BOOLEAN = { accepts: 'true or false', is: isBoolean } as const;
const INTEGER = { accepts: 'an integer or a decimal string', is: isNumberOrString } as const;
const STRINGS = { accepts: 'an array of strings', is: isStringArray } as const;
const ID_MAP = { accepts: "an array of 'INSIDE:OUTSIDE:COUNT' strings or [inside, outside, count] triples", is: isIdMap } as const;

/** Every field of NsrunOptions; a field added there without a row here does not compile. */
export const SANDBOX_OPTIONS: Readonly<Record<keyof NsrunOptions, OptionRow>> = {
  flags: {
    cli: ['--flags'],
    accepts: 'a comma-separated string or a non-empty array of namespace names',
    is: (v) => isString(v) || (isStringArray(v) && (v as readonly string[]).length > 0),
  },
  map: { cli: ['--map'], ...STRING },
  uidMap: { cli: ['--uid-map'], ...ID_MAP },
  gidMap: { cli: ['--gid-map'], ...ID_MAP },
  uid: { cli: ['--uid'], ...INTEGER },
  gid: { cli: ['--gid'], ...INTEGER },
  propagation: { cli: ['--propagation'], ...STRING },
  proc: { cli: ['--no-proc'], ...BOOLEAN },
  hostname: { cli: ['--hostname'], ...STRING },
  domainname: { cli: ['--domainname'], ...STRING },
  timeOffset: { cli: ['--time-offset'], accepts: "'monotonic=SECONDS,boottime=SECONDS' or an object", is: (v) => isString(v) || isRecord(v) },
  cwd: { cli: ['--cwd'], ...STRING },
  env: { cli: ['--env'], accepts: "a record of strings or an array of 'KEY=VALUE' strings", is: (v) => isRecord(v) || isStringArray(v) },
  clearEnv: { cli: ['--clear-env'], ...BOOLEAN },
  init: { cli: ['--init'], ...BOOLEAN },
  preserveFds: { cli: ['--preserve-fds'], ...INTEGER },
  stopTimeout: { cli: ['--stop-timeout'], ...INTEGER },
  allowNewPrivs: { cli: ['--allow-new-privs'], ...BOOLEAN },
  capDrop: { cli: ['--cap-drop'], ...STRINGS },
  capAdd: { cli: ['--cap-add'], ...STRINGS },
  rootfs: { cli: ['--rootfs'], ...STRING },
  readOnly: { cli: ['--read-only'], ...BOOLEAN },
  mounts: {
    cli: ['--bind', '--ro-bind', '--tmpfs', '--dev'],
    accepts: 'an array of mounts { type: bind, source, destination, readOnly }, { type: tmpfs, destination, size } or { type: dev, destination }',
    is: (v) => Array.isArray(v) && v.every(isMount),
  },
  network: { cli: ['--network'], ...STRING },
};

/** A value as a one-line message shows it, whatever it is: JSON cut at 40 characters, else its type. */
function describe(value: unknown): string {
  if (typeof value === 'bigint' || value === undefined) return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined; // circular
  }
  if (json === undefined) return Array.isArray(value) ? 'an array' : 'an object';
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/**
 * Checks `options` against `table`: an object whose every field set is a known option of the
 * type it takes. Throws a usage error naming the first that is not.
 */
export function checkOptionTypes(options: unknown, table: Readonly<Record<string, OptionRow>>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw usageError(`invalid options: expected an object, not ${describe(options)}`);
  }
  for (const [key, value] of Object.entries(options)) {
    const row = Object.hasOwn(table, key) ? table[key] : undefined;
    if (row === undefined) throw usageError(`unknown option ${describe(key)}`);
    if (value !== undefined && !row.is(value)) throw usageError(`invalid ${key}: expected ${row.accepts}, not ${describe(value)}`);
  }
}

/** The API's name of each command-line option. */
const API_NAMES = new Map(Object.entries(SANDBOX_OPTIONS).flatMap(([key, row]) => row.cli.map((cli) => [cli, key] as const)));

/** `text` with the command-line names of options (`--uid-map`) in the API's spelling (`uidMap`), outside quoted values. */
function apiSpelling(text: string): string {
  // the values a message shows are quoted, '...' or JSON's "...": only the text between them names options
  return text
    .split(/('[^']*'|"(?:[^"\\]|\\.)*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/--[a-z]+(?:-[a-z]+)*/g, (cli) => API_NAMES.get(cli) ?? cli)))
    .join('');
}

/** A usage error as the API reports it: the options it names spelled as the API spells them. Other errors are returned as they are. */
export function inApiSpelling(error: unknown): unknown {
  if (!(error instanceof NsrunError) || error.step !== 'usage') return error;
  return usageError(apiSpelling(error.message), error.hint === undefined ? undefined : apiSpelling(error.hint));
}
