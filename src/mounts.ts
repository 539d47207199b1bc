/** The sandbox's filesystem options: `--rootfs`, `--bind`, `--ro-bind`, `--tmpfs`, `--dev`, and their validation. */
import { posix, resolve } from 'node:path';
import { LIMITS, type MountEntry } from './config.js';
import { invalidValue, usageError } from './errors.js';

/** One mount of the sandbox, as the API and the CLI give it; applied in the order given. */
export type MountSpec =
  | {
      readonly type: 'bind';
      /** A host path; a relative one is resolved against the caller's directory. */
      readonly source: string;
      /** An absolute path inside the sandbox. */
      readonly destination: string;
      /** Read-only, submounts included (`--ro-bind`). */
      readonly readOnly?: boolean;
    }
  | {
      readonly type: 'tmpfs';
      readonly destination: string;
      /** Bytes, or a string with a k, m or g suffix (powers of 1024); the kernel's default is half the memory. */
      readonly size?: number | string;
    }
  | {
      readonly type: 'dev';
      /** @default '/dev' */
      readonly destination?: string;
    };

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A host path (`--rootfs`, a bind source) resolved against `base`; throws a usage error naming the option otherwise. */
function hostPath(option: string, shown: string, value: unknown, base: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw invalidValue(option, shown, `expected a path without NUL`);
  }
  const path = resolve(base, value);
  if (bytes(path) > LIMITS.pathBytes) throw invalidValue(option, shown, `expected a path of at most ${LIMITS.pathBytes} bytes`);
  return path;
}

/** A destination inside the sandbox: absolute, no `..`, not / itself; returned normalised (`//` and `.` removed). */
function destination(option: string, shown: string, value: unknown): string {
  if (typeof value !== 'string' || value.includes('\0') || !value.startsWith('/')) {
    throw invalidValue(option, shown, `the destination must be an absolute path inside the sandbox`);
  }
  if (value.split('/').includes('..')) throw invalidValue(option, shown, `the destination must not contain '..'`);
  const path = posix.normalize(value).replace(/(.)\/$/, '$1');
  if (path === '/') throw invalidValue(option, shown, `the destination cannot be / itself (use --rootfs)`);
  if (bytes(path) > LIMITS.pathBytes) throw invalidValue(option, shown, `expected a destination of at most ${LIMITS.pathBytes} bytes`);
  return path;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A tmpfs size: bytes as a number, or a string with an optional k, m or g suffix. */
function tmpfsSize(shown: string, value: number | string): number {
  const match = typeof value === 'string' ? /^(\d+)([kmg]?)$/i.exec(value) : null;
  const size = typeof value === 'number' ? value : match === null ? NaN : Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toLowerCase()] ?? NaN);
  if (!(Number.isSafeInteger(size) && size >= 1 && size <= LIMITS.tmpfsBytes)) {
    throw invalidValue('--tmpfs', shown, `expected size=N with N from 1 to ${LIMITS.tmpfsBytes} bytes, optionally with a k, m or g suffix`);
  }
  return size;
}

/** Validates one mount into its contract entry; relative bind sources are resolved against `base`. */
function validateMount(mount: MountSpec, base: string): MountEntry {
  switch (mount.type) {
    case 'bind': {
      const option = mount.readOnly === true ? '--ro-bind' : '--bind';
      const shown = `${String(mount.source)}:${String(mount.destination)}`;
      const source = hostPath(option, shown, mount.source, base);
      const entry = { type: 'bind', source, destination: destination(option, shown, mount.destination) } as const;
      return mount.readOnly === true ? { ...entry, 'read-only': true } : entry;
    }
    case 'tmpfs': {
      const shown = mount.size === undefined ? String(mount.destination) : `${String(mount.destination)}:size=${mount.size}`;
      const dst = destination('--tmpfs', shown, mount.destination);
      return mount.size === undefined ? { type: 'tmpfs', destination: dst } : { type: 'tmpfs', destination: dst, size: tmpfsSize(shown, mount.size) };
    }
    case 'dev':
      return { type: 'dev', destination: destination('--dev', String(mount.destination), mount.destination ?? '/dev') };
    default:
      throw invalidValue('mounts', mount, "expected a mount of type 'bind', 'tmpfs' or 'dev'");
  }
}

/** Validates the mounts, at most 256, keeping their order. */
export function validateMounts(mounts: readonly MountSpec[] | undefined, base: string): MountEntry[] | undefined {
  if (mounts === undefined || mounts.length === 0) return undefined;
  if (mounts.length > LIMITS.mounts) throw usageError(`${mounts.length} mounts given, at most ${LIMITS.mounts} allowed`);
  return mounts.map((mount) => validateMount(mount, base));
}

/** Validates `--rootfs`: a directory path, resolved against `base`, other than /. */
export function validateRootfs(value: string | undefined, base: string): string | undefined {
  if (value === undefined) return undefined;
  const path = hostPath('--rootfs', String(value), value, base);
  if (path === '/') throw invalidValue('--rootfs', value, 'expected a directory other than /');
  return path;
}

/** Reads `--bind SRC:DST` or `--ro-bind SRC:DST`. */
export function parseBind(option: '--bind' | '--ro-bind', value: string): MountSpec {
  const parts = value.split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw invalidValue(option, value, "expected SRC:DST, two paths without ':'");
  }
  return { type: 'bind', source: parts[0] ?? '', destination: parts[1] ?? '', readOnly: option === '--ro-bind' };
}

/** Reads `--tmpfs DST[:size=N]`. */
export function parseTmpfs(value: string): MountSpec {
  const colon = value.indexOf(':');
  if (colon < 0) return { type: 'tmpfs', destination: value };
  const option = value.slice(colon + 1);
  if (!option.startsWith('size=')) throw invalidValue('--tmpfs', value, 'expected DST or DST:size=N');
  return { type: 'tmpfs', destination: value.slice(0, colon), size: option.slice('size='.length) };
}
