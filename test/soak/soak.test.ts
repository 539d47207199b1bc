// Soak: many sandboxes with every namespace, one after another and side by side; afterwards the
// host has the same mounts, no stray process, no leaked fd and as many namespaces as before.
// `make test` runs the short version on its own (it counts the machine's namespaces);
// `make soak` the long one (NSRUN_SOAK_SEQUENTIAL=10000 NSRUN_SOAK_CONCURRENT=500).
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostMountChanges, hostNames, hostState, identities, nsrun, type Identity } from '../e2e/harness.js';

const SEQUENTIAL = Number(process.env['NSRUN_SOAK_SEQUENTIAL'] ?? 500);
const CONCURRENT = Number(process.env['NSRUN_SOAK_CONCURRENT'] ?? 50);
const KINDS = ['uts', 'ipc', 'pid', 'mnt', 'net', 'user', 'cgroup', 'time'];

/** How many distinct namespaces of each type the machine's processes are in. */
function namespaceCounts(): Record<string, number> {
  const seen = new Map<string, Set<string>>(KINDS.map((k) => [k, new Set()]));
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    for (const kind of KINDS) {
      try {
        seen.get(kind)?.add(readlinkSync(`/proc/${pid}/ns/${kind}`));
      } catch {
        // exited, or a kernel thread
      }
    }
  }
  return Object.fromEntries([...seen].map(([k, s]) => [k, s.size]));
}

/** Helpers still running (by process name, so a compiler building one does not count), zombies, sandboxed commands of this soak. */
function strays(): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,stat=,comm=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    const [, stat, comm] = line.trim().split(/\s+/);
    return comm === 'nsrun-helper' || stat?.startsWith('Z') || (line.includes('soak-probe') && !line.includes('ps -e'));
  });
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** One sandbox with all eight namespaces, checking what it sees. */
async function oneRun(who: Identity, i: number): Promise<boolean> {
  const r = await nsrun(['--flags', 'all', '--hostname', `soak-${i}`, '--', 'sh', '-c', 'echo "$(hostname) $$"; : soak-probe'], who);
  return r.exitCode === 0 && r.stdout === `soak-${i} 1`;
}

describe.each(identities)('soak, as $name', (who) => {
  it(`${SEQUENTIAL} sandboxes one after another, then ${CONCURRENT} at once, leave the host as it was`, async () => {
    const before = { host: hostState(), namespaces: namespaceCounts(), fds: openFds() };
    const start = performance.now();
    let good = 0;
    for (let i = 0; i < SEQUENTIAL; i++) if (await oneRun(who, i)) good++;
    const middle = performance.now();
    const together = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => oneRun(who, i)));
    const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
    // the figures RELIABILITY.md records
    console.log(`soak as ${who.name}: ${good}/${SEQUENTIAL} one after another in ${seconds(start, middle)} s, ` +
      `${together.filter(Boolean).length}/${CONCURRENT} at once in ${seconds(middle, performance.now())} s`);
    expect(good).toBe(SEQUENTIAL);
    expect(together.filter(Boolean)).toHaveLength(CONCURRENT);
    expect(hostMountChanges(before.host.mountinfo)).toEqual([]);
    expect(hostNames()).toEqual({ hostname: before.host.hostname, domainname: before.host.domainname });
    expect(strays()).toEqual([]);
    expect(openFds()).toBe(before.fds);
    expect(namespaceCounts()).toEqual(before.namespaces);
  }, 3_600_000);
});
