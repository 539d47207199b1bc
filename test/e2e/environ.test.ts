// What the sandbox can read of its PID 1's environment: with --init, PID 1 is a fork of the
// helper, whose environment carried the config. PID 1 is undumpable, so its environ is closed
// to the command; where the command may read it anyway (root without a user namespace keeps
// CAP_SYS_PTRACE), it shows none of the config, nor nsrun's own environment.
import { describe, expect, it } from 'vitest';
import { asRoot, identities, nsrun } from './harness.js';

const probe = "cat /proc/1/environ 2>/dev/null | tr '\\0' '\\n' | grep . ; echo \"mine=$MINE\"";

describe.each(identities)('the environment of PID 1, as %s', (who) => {
  it.each([['pid,ns,user'], ...(who === asRoot ? [['pid,ns']] : [])])('--init, --flags %s: /proc/1/environ shows none of the config nor of nsrun\'s environment', async (flags) => {
    const env = { ...process.env, NSRUN_SECRET_TOKEN: 'hunter2' };
    const r = await nsrun(['--init', '--clear-env', '--env', 'MINE=kept', '--flags', flags, '--', 'sh', '-c', probe], who, { env });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines.at(-1)).toBe('mine=kept');
    expect(lines.slice(0, -1).every((line) => line === 'NSRUN_CONFIG=')).toBe(true);
  });
});
