// A run, successful or not, leaves the host exactly as it was.
import { describe, expect, it } from 'vitest';
import { hostState, identities, nsrun } from './harness.js';

describe.each(identities)('the host, as $name', (who) => {
  it.each([
    ['a run with every namespace', ['--flags', 'all', '--hostname', 'elsewhere', '--', 'sh', '-c', 'mount -t tmpfs none /mnt; hostname x']],
    ['a run whose command is not found', ['--flags', 'all', '--', 'nsrun-no-such-command']],
    ['a run whose setup fails midway', ['--flags', 'all', '--uid', '4242', '--', 'true']],
    ['a usage error', ['--flags', 'all', '--map', 'nowhere', '--', 'true']],
  ])('keeps its mounts, hostname and domain name after %s', async (_what, args) => {
    const before = hostState();
    await nsrun(args, who);
    expect(hostState()).toEqual(before);
  });
});
