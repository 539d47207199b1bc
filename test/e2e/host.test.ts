// A run, successful or not, leaves the host exactly as it was: its mounts (those of a mount
// namespace of the test's own, shared as a host's are, so that other programs' mounts do not count),
// its hostname and domain name.
import { describe, expect, it } from 'vitest';
import { hostNames, identities, mountChanges, nsrunInOwnMounts } from './harness.js';

describe.each(identities)('the host, as $name', (who) => {
  it.each([
    ['a run with every namespace', ['--flags', 'all', '--hostname', 'elsewhere', '--', 'sh', '-c', 'mount -t tmpfs none /mnt; hostname x']],
    ['a run whose command is not found', ['--flags', 'all', '--', 'nsrun-no-such-command']],
    ['a run whose setup fails midway', ['--flags', 'all', '--uid', '4242', '--', 'true']],
    ['a usage error', ['--flags', 'all', '--map', 'nowhere', '--', 'true']],
  ])('keeps its mounts, hostname and domain name after %s', async (_what, args) => {
    const before = hostNames();
    const r = await nsrunInOwnMounts(args, who);
    expect(mountChanges(r)).toEqual([]);
    expect(r.mountsBefore).toMatch(/ \/ \/ .* shared:\d+ /);
    expect(hostNames()).toEqual(before);
  });
});
