import { describe, expect, it } from 'vitest';
import { formatMessage, fromHelperError } from '../src/errors.js';
import { isMountStep, MOUNT_STEPS } from '../src/mount-errors.js';
import { normalizeOptions, type NsrunOptions } from '../src/options.js';
import { fakeSystem } from './support/system.js';

const ENOENT = 2;
const EACCES = 13;
const ENOTDIR = 20;
const EINVAL = 22;
const EROFS = 30;
const ENOSYS = 38;

const WITH_ROOTFS: NsrunOptions = {
  rootfs: '/srv/box',
  mounts: [
    { type: 'bind', source: '/etc', destination: '/mnt', readOnly: true },
    { type: 'bind', source: '/data', destination: '/mnt/data' },
    { type: 'tmpfs', destination: '/tmp', size: '1m' },
    { type: 'dev' },
  ],
};

function line(record: object, options: NsrunOptions = WITH_ROOTFS): string {
  const system = fakeSystem();
  return formatMessage(fromHelperError(record, { config: normalizeOptions(['sh'], options, system), system }));
}

const CREATE_HINT =
  'nothing can be created there: the path lies on a read-only mount or in a directory you may not write; ' +
  'create /mnt/data beforehand, or mount a --tmpfs on a directory above it first';

describe('the filesystem steps, worded with the option and the path', () => {
  it.each([
    [{ step: 'rootfs', syscall: 'open', errno: ENOENT, detail: '/srv/box' }, 'nsrun: cannot use /srv/box as the root filesystem (--rootfs): no such file or directory'],
    [{ step: 'rootfs', syscall: 'open', errno: ENOTDIR, detail: '/srv/box' }, 'nsrun: cannot use /srv/box as the root filesystem (--rootfs): not a directory'],
    [{ step: 'bind-source', syscall: 'open', errno: ENOENT, detail: '/data' }, 'nsrun: cannot open the source /data of --bind /data:/mnt/data: no such file or directory'],
    [{ step: 'mount-point', syscall: 'mkdirat', errno: EROFS, detail: '/mnt/data' }, `nsrun: cannot create the mount point /mnt/data of --bind /data:/mnt/data in the root filesystem /srv/box: read-only file system (hint: ${CREATE_HINT})`],
    [{ step: 'mount-point', syscall: 'mkdirat', errno: EACCES, detail: '/mnt/data' }, `nsrun: cannot create the mount point /mnt/data of --bind /data:/mnt/data in the root filesystem /srv/box: permission denied (hint: ${CREATE_HINT})`],
    [{ step: 'mount-point', syscall: 'mkdirat', errno: EACCES, detail: '/proc' }, "nsrun: cannot create the mount point /proc of --rootfs in the root filesystem /srv/box: permission denied (hint: nothing can be created there: the path lies on a read-only mount or in a directory you may not write; create /proc beforehand, or mount a --tmpfs on a directory above it first)"],
    [{ step: 'bind', syscall: 'move_mount', errno: ENOTDIR, detail: '/mnt' }, 'nsrun: cannot mount --ro-bind /etc:/mnt: not a directory'],
    [{ step: 'tmpfs', syscall: 'fsconfig', errno: EINVAL, detail: '/tmp' }, 'nsrun: cannot mount --tmpfs /tmp:size=1048576: invalid argument'],
    [{ step: 'dev', syscall: 'open_tree', errno: ENOENT, detail: '/dev/tty' }, 'nsrun: cannot set up /dev/tty for --dev: no such file or directory'],
    [{ step: 'mask', syscall: 'move_mount', errno: EINVAL, detail: '/proc/kcore' }, 'nsrun: cannot mask /proc/kcore: invalid argument'],
    [{ step: 'pivot-root', syscall: 'pivot_root', errno: EINVAL, detail: '/srv/box' }, 'nsrun: cannot enter the root filesystem /srv/box with pivot_root: invalid argument'],
    [{ step: 'read-only', syscall: 'mount_setattr', errno: EINVAL, detail: '/srv/box' }, 'nsrun: cannot make the root filesystem /srv/box read-only (--read-only): invalid argument'],
    [{ step: 'exec', syscall: 'execve', errno: ENOENT, detail: 'node' }, 'nsrun: node: command not found in the root filesystem /srv/box'],
    [
      { step: 'tmpfs', syscall: 'fsopen', errno: ENOSYS, detail: '/tmp' },
      'nsrun: cannot mount --tmpfs /tmp:size=1048576: function not implemented (hint: --rootfs and the mount options need Linux 5.12 or later (open_tree, openat2, mount_setattr))',
    ],
  ])('%j', (record, expected) => {
    expect(line(record)).toBe(expected);
  });

  it('says that mount points are never created on the host\'s tree without a rootfs', () => {
    const options: NsrunOptions = { mounts: [{ type: 'tmpfs', destination: '/nowhere' }] };
    expect(line({ step: 'mount-point', syscall: 'openat2', errno: ENOENT, detail: '/nowhere' }, options)).toBe(
      "nsrun: cannot open the mount point /nowhere of --tmpfs /nowhere: no such file or directory (hint: outside --rootfs nsrun creates no mount points on the host's tree; create /nowhere first)",
    );
  });

  it('knows its steps', () => {
    expect(MOUNT_STEPS.every(isMountStep)).toBe(true);
    expect(isMountStep('exec')).toBe(false);
    expect(isMountStep(undefined)).toBe(false);
  });
});
