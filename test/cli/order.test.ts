import { describe, expect, it } from 'vitest';
import { commandLineMounts, optionOrder } from '../../src/cli/order.js';
import { parseCommandLine, parseOptions } from '../../src/cli/parse.js';
import { RUN_OPTIONS } from '../../src/cli/spec.js';
import { thrown } from '../support/thrown.js';

describe('optionOrder', () => {
  it.each([
    [['--bind', 'a:/a', '--tmpfs', '/t', '--ro-bind=b:/b', '--dev', 'sh'], ['bind', 'tmpfs', 'ro-bind', 'dev']],
    // a value that looks like an option is a value, and the command's words are not options
    [['--hostname', '--bind', '--tmpfs', '/t', 'sh', '--bind', 'x:/x'], ['tmpfs']],
    [['--init', '--dev', '--', '--bind', 'x:/x'], ['dev']],
    [['-h', '--tmpfs', '/t'], ['tmpfs']],
  ])('%j gives %j', (argv, order) => {
    expect(optionOrder(argv, RUN_OPTIONS, ['bind', 'ro-bind', 'tmpfs', 'dev'])).toEqual(order);
  });
});

describe('commandLineMounts', () => {
  function mounts(argv: string[]) {
    return commandLineMounts(argv, RUN_OPTIONS, parseOptions(argv, RUN_OPTIONS).values);
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
