import { describe, expect, it } from 'vitest';
import { commandLineMounts } from '../../src/cli/order.js';
import { parseCommandLine, parseOptions } from '../../src/cli/parse.js';
import { RUN_OPTIONS } from '../../src/cli/spec.js';
import { thrown } from '../support/thrown.js';

describe('commandLineMounts', () => {
  function mounts(argv: string[]) {
    return commandLineMounts(parseOptions(argv, RUN_OPTIONS).given);
  }

  it('interleaves the options in the order given, --dev once', () => {
    expect(mounts(['--tmpfs', '/a', '--bind', 's:/b', '--dev', '--tmpfs', '/c:size=1k', '--ro-bind', 't:/d', '--dev', 'sh'])).toEqual([
      { type: 'tmpfs', destination: '/a' },
      { type: 'bind', source: 's', destination: '/b', readOnly: false },
      { type: 'dev' },
      { type: 'tmpfs', destination: '/c', size: '1k' },
      { type: 'bind', source: 't', destination: '/d', readOnly: true },
    ]);
  });

  it('gives nothing without mount options', () => {
    expect(mounts(['--flags', 'uts', 'sh'])).toBeUndefined();
  });
});

describe('parseCommandLine with mounts', () => {
  it('maps --rootfs, --read-only and the mounts', () => {
    expect(parseCommandLine(['--rootfs', './r', '--read-only', '--ro-bind', '/etc:/etc', '--', 'sh'])).toMatchObject({
      action: 'run',
      command: ['sh'],
      options: { rootfs: './r', readOnly: true, mounts: [{ type: 'bind', source: '/etc', destination: '/etc', readOnly: true }] },
    });
  });

  it('refuses a bind without a destination, naming the option and the value', () => {
    expect(thrown(() => parseCommandLine(['--bind', '/etc', 'sh'])).message).toBe("invalid --bind '/etc': expected SRC:DST, two paths without ':'");
  });
});
