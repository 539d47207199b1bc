// What the sandbox can read of its PID 1's environment: with --init, PID 1 is a fork of the
// helper, whose environment carried the config; it must show none of it, nor nsrun's own.
import { describe, expect, it } from 'vitest';
import { identities, nsrun } from './harness.js';

describe.each(identities)('the environment of PID 1, as %s', (who) => {
  it('--init: /proc/1/environ names the config variable but holds none of its text, nor nsrun\'s environment', async () => {
    const env = { ...process.env, NSRUN_SECRET_TOKEN: 'hunter2' };
    const probe = "tr '\\0' '\\n' < /proc/1/environ | grep -c . ; tr -d '\\0' < /proc/1/environ; echo; echo \"$MINE\"";
    const r = await nsrun(['--init', '--clear-env', '--env', 'MINE=kept', '--flags', 'pid,ns,user', '--', 'sh', '-c', probe], who, { env });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const [entries, text, mine] = r.stdout.split('\n');
    expect(Number(entries)).toBeLessThanOrEqual(1);
    expect(text).not.toMatch(/hunter2|"command"|\//);
    expect(mine).toBe('kept');
  });
});
