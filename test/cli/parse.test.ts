import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseOptions } from '../../src/cli/parse.js';
import { RUN_OPTIONS } from '../../src/cli/spec.js';
import { thrown } from '../support/thrown.js';

/** The options the command line gives when it gives nothing but a command. */
const NOTHING = {
  flags: undefined,
  map: undefined,
  uidMap: undefined,
  gidMap: undefined,
  uid: undefined,
  gid: undefined,
  propagation: undefined,
  proc: true,
  hostname: undefined,
  domainname: undefined,
  timeOffset: undefined,
  cwd: undefined,
  env: undefined,
  clearEnv: false,
  init: false,
  preserveFds: undefined,
  stopTimeout: undefined,
  allowNewPrivs: false,
  capDrop: undefined,
  capAdd: undefined,
  rootfs: undefined,
  readOnly: false,
  mounts: undefined,
  network: undefined,
  publish: undefined,
  hostLoopback: false,
};

describe('parseCommandLine', () => {
  it.each([
    [['--', 'sh'], ['sh']],
    [['sh'], ['sh']],
    [['run', '--', 'sh'], ['sh']],
    [['run', 'sh', '-c', 'echo'], ['sh', '-c', 'echo']],
    [['--', 'run'], ['run']],
    [['--', '--flags', 'x'], ['--flags', 'x']],
    [['--init', 'ps', '--help', '-V'], ['ps', '--help', '-V']],
    [['--flags=uts', 'sh', '--', 'x'], ['sh', '--', 'x']],
    [['--uid', '7', '--', '42'], ['42']],
    [['--init', 'true'], ['true']],
    [['--dry-run', '--no-proc', 'false', '1'], ['false', '1']],
  ])('%j runs %j', (argv, command) => {
    expect(parseCommandLine(argv)).toMatchObject({ action: 'run', command });
  });

  it.each([
    [['--flags', 'uts,pid'], { flags: 'uts,pid' }],
    [['--flags=all'], { flags: 'all' }],
    [['--flags', 'uts', '--flags', 'net'], { flags: 'net' }],
    [['--map', 'auto'], { map: 'auto' }],
    [['--uid-map', '0:1000:1', '--uid-map=1:100000:65536'], { uidMap: ['0:1000:1', '1:100000:65536'] }],
    [['--gid-map', '0:1000:1'], { gidMap: ['0:1000:1'] }],
    [['--uid', '0', '--gid', '007'], { uid: '0', gid: '007' }],
    [['--propagation', 'slave'], { propagation: 'slave' }],
    [['--no-proc'], { proc: false }],
    [['--hostname', 'box', '--domainname', 'lan'], { hostname: 'box', domainname: 'lan' }],
    [['--time-offset', 'monotonic=-5'], { timeOffset: 'monotonic=-5' }],
    [['--cwd', '.'], { cwd: '.' }],
    [['--env', 'A=1', '--env', 'B=2'], { env: ['A=1', 'B=2'] }],
    [['--clear-env', '--init'], { clearEnv: true, init: true }],
    [['--preserve-fds', '2'], { preserveFds: '2' }],
    [['--network', 'pasta'], { network: 'pasta' }],
    [['--network=none'], { network: 'none' }],
    [['--network'], { network: 'auto' }],
    [['--network', '-p', '80:80'], { network: 'auto', publish: ['80:80'] }],
    [['--network', '--host-loopback'], { network: 'auto', hostLoopback: true }],
  ])('%j sets %j', (options, expected) => {
    expect(parseCommandLine([...options, '--', 'cmd'])).toEqual({
      action: 'run',
      command: ['cmd'],
      dryRun: false,
      options: { ...NOTHING, ...expected },
    });
  });

  it.each([
    [['--network', '--', 'sh'], 'auto', ['sh']],
    [['--network', 'sh'], 'sh', undefined],
    [['--network', 'none', 'sh', '--network'], 'none', ['sh', '--network']],
    [['--network', '-'], '-', undefined],
  ])('%j: --network %s, then the command %j', (argv, network, command) => {
    if (command === undefined) expect(thrown(() => parseCommandLine(argv))?.message).toBe('no command given (see nsrun --help)');
    else expect(parseCommandLine(argv)).toMatchObject({ action: 'run', command, options: { network } });
    expect(parseOptions(argv, RUN_OPTIONS).values['network']).toBe(network);
  });

  it('reads --dry-run', () => {
    expect(parseCommandLine(['--dry-run', 'true'])).toMatchObject({ action: 'run', dryRun: true });
  });

  it.each([[[]], [['-h']], [['--help']], [['--flags', 'uts', '--help']], [['run', '-h']], [['-h', 'sh']]])('%j asks for help', (argv) => {
    expect(parseCommandLine(argv)).toEqual({ action: 'help' });
  });

  it.each([[['-V']], [['--version']]])('%j asks for the version', (argv) => {
    expect(parseCommandLine(argv)).toEqual({ action: 'version' });
  });

  it.each([
    [['--foo', 'sh'], 'unknown option --foo (see nsrun --help)'],
    [['--foo=1', '--', 'sh'], 'unknown option --foo=1 (see nsrun --help)'],
    [['--no-init', 'sh'], 'unknown option --no-init (see nsrun --help)'],
    [['-x', 'sh'], 'unknown option -x (see nsrun --help)'],
    [['--help', '--bogus'], 'unknown option --bogus (see nsrun --help)'],
    [['--flags', 'uts'], 'no command given (see nsrun --help)'],
    [['run'], 'no command given (see nsrun --help)'],
    [['--init=false', 'sh'], '--init takes no value (see nsrun --help)'],
    [['--init', '--'], 'no command given (see nsrun --help)'],
    [['--map', 'all', 'sh'], "invalid --map 'all': expected one of root, current, auto, isolated"],
    [['--propagation', 'rshared', 'sh'], "invalid --propagation 'rshared': expected one of private, slave, shared, unchanged"],
  ])('%j is a usage error: %s', (argv, message) => {
    const error = thrown(() => parseCommandLine(argv));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2, message });
  });
});

describe('parseOptions', () => {
  it.each([
    [['--bind', 'a:/a', '--tmpfs', '/t', '--ro-bind=b:/b', '--dev', 'sh'], ['bind', 'tmpfs', 'ro-bind', 'dev']],
    // a value that looks like an option is a value, and the command's words are not options
    [['--hostname', '--bind', '--tmpfs', '/t', 'sh', '--bind', 'x:/x'], ['hostname', 'tmpfs']],
    [['--init', '--dev', '--', '--bind', 'x:/x'], ['init', 'dev']],
    [['-h', '--tmpfs', '/t'], ['help', 'tmpfs']],
    [['-hV', '-', '-h'], ['help', 'version']],
  ])('%j gives the options %j in order', (argv, names) => {
    expect(parseOptions(argv, RUN_OPTIONS).given.map((o) => o.name)).toEqual(names);
  });

  it('keeps the last value of an option, every value of a repeatable one, and the words after the options', () => {
    const argv = ['--hostname', 'a', '--hostname=b', '--env', 'A=1', '--env=B=', '--init', '-', '--env', 'C=3'];
    expect(parseOptions(argv, RUN_OPTIONS)).toEqual({
      values: { hostname: 'b', env: ['A=1', 'B='], init: true },
      given: [
        { name: 'hostname', value: 'a' },
        { name: 'hostname', value: 'b' },
        { name: 'env', value: 'A=1' },
        { name: 'env', value: 'B=' },
        { name: 'init' },
      ],
      positionals: ['-', '--env', 'C=3'],
    });
  });

  it.each([
    [['--hostname', '-', 'sh'], { hostname: '-' }],
    [['--hostname', '--', 'sh'], { hostname: '--' }],
    [['--hostname='], { hostname: '' }],
    [['--uid', '-1'], { uid: '-1' }],
  ])('%j takes the next word or what follows = as the value: %j', (argv, values) => {
    expect(parseOptions(argv, RUN_OPTIONS).values).toEqual(values);
  });

  const SHORT = [
    { name: 'target', alias: 't', type: 'number', description: '' },
    { name: 'json', alias: 'J', type: 'boolean', description: '' },
  ] as const;

  it.each([
    [['-t', '42'], { target: '42' }],
    [['-t42'], { target: '42' }],
    [['-Jt', '7'], { json: true, target: '7' }],
    [['-Jt7'], { json: true, target: '7' }],
    [['-tJ'], { target: 'J' }],
  ])('reads the short options %j as %j', (argv, values) => {
    expect(parseOptions(argv, SHORT).values).toEqual(values);
  });

  it.each([
    [['--hostname'], '--hostname needs a value (see nsrun --help)'],
    [['-J', '-t'], '--target needs a value (see nsrun --help)'],
    [['--json=1'], '--json takes no value (see nsrun --help)'],
    [['-Jx'], 'unknown option -x (see nsrun --help)'],
    [['--tar', '1'], 'unknown option --tar (see nsrun --help)'],
  ])('%j is a usage error: %s', (argv, message) => {
    const specs = [...RUN_OPTIONS, ...SHORT];
    expect(thrown(() => parseOptions(argv, specs))).toMatchObject({ step: 'usage', exitCode: 2, message });
  });
});

describe('the option table', () => {
  it('names every option once, aliases included', () => {
    const names = RUN_OPTIONS.flatMap((o) => [o.name, ...(o.alias === undefined ? [] : [o.alias])]);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(RUN_OPTIONS.filter((o) => o.type === 'boolean' && o.name !== 'help' && o.name !== 'version'))(
    '--$name is a switch that takes no word from the command',
    (option) => {
      expect(parseCommandLine([`--${option.name}`, 'cmd'])).toMatchObject({ action: 'run', command: ['cmd'] });
    },
  );
});
