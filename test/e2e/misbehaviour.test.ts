// Commands that misbehave: nsrun still ends as documented and leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { alive, descendants, identities, nsrun, processesWith, waitFor } from './harness.js';

describe.each(identities)('a misbehaving command, as $name', (who) => {
  it('forks a hundred children and exits: nsrun exits with its status, no child survives', async () => {
    const marker = `${100 + Math.floor(Math.random() * 800)}.${process.pid}`;
    const r = await nsrun(['--flags', 'pid,ns', '--', 'sh', '-c', `i=0; while [ $i -lt 100 ]; do sleep ${marker} & i=$((i+1)); done; exit 3`], who);
    expect(r.exitCode).toBe(3);
    await waitFor(() => processesWith(`sleep ${marker}`).length === 0, 2000);
  });

  it('ignores SIGTERM: --stop-timeout 1 then kills the whole pid namespace', async () => {
    const child = nsrun(['--flags', 'pid,ns', '--stop-timeout', '1', '--', 'sh', '-c', 'trap "" TERM; sleep 100 & echo ready; wait'], who);
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    const tree = descendants(child.pid as number);
    const sent = Date.now();
    child.kill('SIGTERM');
    const r = await child;
    const waited = Date.now() - sent;
    expect(r.exitCode).toBe(137);
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5000);
    await waitFor(() => tree.every((p) => !alive(p)), 2000);
  });

  it('closes its stdin, stdout and stderr: nsrun still reports its status', async () => {
    const r = await nsrun(['--', 'sh', '-c', 'exec <&- >&- 2>&-; sleep 0.1; exit 4'], who);
    expect(r.exitCode).toBe(4);
  });

  it('fills the pipe: 16 MiB of output arrive whole', async () => {
    const r = await nsrun(['--', 'sh', '-c', 'head -c 16777216 /dev/zero | tr "\\0" x'], who, { maxBuffer: 64 * 1024 * 1024 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(16 * 1024 * 1024);
  });
});
