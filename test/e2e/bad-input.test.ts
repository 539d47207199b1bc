// A table of bad invocations: each gets its documented exit code and one clear line, and the host stays as it was.
import { describe, expect, it } from 'vitest';
import { hostState, nsrun } from './harness.js';

const VALID = 'valid names: uts, ipc, pid, ns, mnt, mount, net, user, cgroup, time, all';
const OFFSETS = 'expected monotonic=SECONDS,boottime=SECONDS (either or both), integers from -4611686018 to 4611686018';
const CAPS = 'expected capability names such as NET_ADMIN or CAP_SYS_TIME, or all';

const table: readonly (readonly [readonly string[], number, string])[] = [
  [['--flags', 'bogus', '--', 'true'], 2, `nsrun: unknown namespace 'bogus' in --flags; ${VALID}`],
  [['--flags', '', '--', 'true'], 2, `nsrun: --flags '' has an empty namespace name; ${VALID}`],
  [['--flags', 'uts,uts', '--', 'true'], 2, "nsrun: --flags 'uts,uts' names the UTS namespace more than once (uts, uts)"],
  [['--flags', 'uts,mnt,ns', '--', 'true'], 2, "nsrun: --flags 'uts,mnt,ns' names the mount namespace more than once (mnt, ns)"],
  [['--flags', 'all,uts', '--', 'true'], 2, "nsrun: --flags 'all,uts': all stands alone"],
  [['--map', 'sideways', '--', 'true'], 2, "nsrun: invalid --map 'sideways': expected one of root, current, auto, isolated"],
  [['--uid-map', '0:x:1', '--', 'true'], 2, "nsrun: invalid --uid-map '0:x:1': expected INSIDE:OUTSIDE:COUNT, non-negative integers with COUNT at least 1"],
  [['--gid-map', '0:0:0', '--', 'true'], 2, "nsrun: invalid --gid-map '0:0:0': expected INSIDE:OUTSIDE:COUNT, non-negative integers with COUNT at least 1"],
  [['--uid-map', '0:4294967295:2', '--', 'true'], 2, "nsrun: invalid --uid-map '0:4294967295:2': the range runs past id 4294967294"],
  [['--uid-map', '0:1000:10', '--uid-map', '5:2000:1', '--', 'true'], 2, 'nsrun: invalid --uid-map: lines 0:1000:10 and 5:2000:1 overlap inside'],
  [['--uid-map', '0:7:1', '--uid-map', '1:7:1', '--', 'true'], 2, 'nsrun: invalid --uid-map: lines 0:7:1 and 1:7:1 overlap outside'],
  [['--uid', '-1', '--', 'true'], 2, "nsrun: invalid --uid '-1': expected an integer from 0 to 4294967294"],
  [['--uid', '4294967295', '--', 'true'], 2, "nsrun: invalid --uid '4294967295': expected an integer from 0 to 4294967294"],
  [['--gid', 'abc', '--', 'true'], 2, "nsrun: invalid --gid 'abc': expected an integer from 0 to 4294967294"],
  [['--propagation', 'weird', '--', 'true'], 2, "nsrun: invalid --propagation 'weird': expected one of private, slave, shared, unchanged"],
  [['--hostname', '', '--', 'true'], 2, "nsrun: invalid --hostname '': expected 1 to 64 bytes without NUL"],
  [['--domainname', 'd'.repeat(65), '--', 'true'], 2, `nsrun: invalid --domainname '${'d'.repeat(65)}': expected 1 to 64 bytes without NUL`],
  [['--time-offset', 'realtime=5', '--', 'true'], 2, `nsrun: invalid --time-offset 'realtime=5': ${OFFSETS}`],
  [['--time-offset', 'monotonic=abc', '--', 'true'], 2, `nsrun: invalid --time-offset 'monotonic=abc': ${OFFSETS}`],
  [['--time-offset', 'boottime=99999999999', '--', 'true'], 2, `nsrun: invalid --time-offset 'boottime=99999999999': ${OFFSETS}`],
  [['--env', '=x', '--', 'true'], 2, "nsrun: invalid --env '=x': expected KEY=VALUE with a non-empty KEY, no NUL, at most 131072 bytes"],
  [['--env', 'NOEQUALS', '--', 'true'], 2, "nsrun: invalid --env 'NOEQUALS': expected KEY=VALUE"],
  [['--preserve-fds', '-1', '--', 'true'], 2, "nsrun: invalid --preserve-fds '-1': expected an integer from 0 to 1024"],
  [['--preserve-fds', '2', '--', 'true'], 2, 'nsrun: --preserve-fds 2: file descriptor 3 was not passed to nsrun (hint: open it in the shell, e.g. 3<file)'],
  [['--stop-timeout', '-5', '--', 'true'], 2, "nsrun: invalid --stop-timeout '-5': expected an integer from 0 to 86400"],
  [['--stop-timeout', '100000', '--', 'true'], 2, "nsrun: invalid --stop-timeout '100000': expected an integer from 0 to 86400"],
  [['--cap-drop', 'BOGUS', '--', 'true'], 2, `nsrun: invalid --cap-drop 'BOGUS': ${CAPS}`],
  [['--cap-add', '', '--', 'true'], 2, `nsrun: invalid --cap-add '': ${CAPS}`],
  [['--bogus-option', '--', 'true'], 2, 'nsrun: unknown option --bogus-option (see nsrun --help)'],
  [['-x', '--', 'true'], 2, 'nsrun: unknown option -x (see nsrun --help)'],
  [['--init=false', '--', 'true'], 2, 'nsrun: --init takes no value (see nsrun --help)'],
  [['--flags', 'uts'], 2, 'nsrun: no command given (see nsrun --help)'],
  [['--', ''], 2, 'nsrun: no command given (see nsrun --help)'],
  [['--hostname', 'x', '--flags', 'ipc', '--', 'true'], 2, 'nsrun: --hostname needs a new UTS namespace; add uts to --flags'],
  [['--init', '--flags', 'uts', '--', 'true'], 2, 'nsrun: --init needs a new PID namespace; add pid to --flags'],
  [['--map', 'current', '--flags', 'uts', '--', 'true'], 2, 'nsrun: --map needs a new user namespace; add user to --flags'],
  [['--cwd', '', '--', 'true'], 2, "nsrun: invalid --cwd '': expected a path of at most 4095 bytes without NUL"],
  [['--cwd', '/nonexistent', '--', 'true'], 125, 'nsrun: cannot enter /nonexistent: no such file or directory'],
  [['--flags', 'user,uts', '--uid', '4242', '--', 'true'], 125, 'nsrun: cannot switch to uid 4242: invalid argument (hint: uid 4242 is not mapped in the new user namespace, whose uid map covers 0)'],
  [['--', 'nsrun-no-such-command'], 127, 'nsrun: nsrun-no-such-command: command not found'],
  [['--', '/etc'], 126, 'nsrun: /etc: cannot execute: permission denied'],
];

describe('bad invocations (as root: the table pins exact messages)', () => {
  it(`has at least 30 cases (${table.length})`, () => {
    expect(table.length).toBeGreaterThanOrEqual(30);
  });

  it.each(table.map(([args, code, line]) => ({ shown: args.join(' '), args, code, line })))('$shown → exit $code, one line', async ({ args, code, line }) => {
    const before = hostState();
    const r = await nsrun(args);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toBe(line);
    expect(r.stdout).toBe('');
    expect(hostState()).toEqual(before);
  });
});
