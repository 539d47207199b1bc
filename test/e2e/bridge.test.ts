// nsrun network create/ls/rm and run --network NAME, as root and unprivileged: sandboxes on one
// network talk TCP by name and by address, on the same port; another network cannot reach them;
// rm and SIGKILL leave no link. Everything happens in a network namespace this test makes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identities, nsrun, sleep, waitFor, type Identity } from './harness.js';

const node = process.execPath;
const PORT = '8080';

/** Answers each connection with its argument, the name of the sandbox it runs in. */
const SERVER = `require('net').createServer((c) => c.end(process.argv[1])).listen(${PORT})`;
/** Prints what HOST:PORT answers; exits 3 when it cannot connect within a second. */
const CLIENT =
  "const s = require('net').connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 1000 });" +
  "s.on('data', (d) => process.stdout.write(d)); s.on('timeout', () => process.exit(3)); s.on('error', () => process.exit(3));";

interface Listed {
  name: string;
  subnet: string;
  gateway: string;
  bridge: string;
  dir: string;
  hub?: number;
  sandboxes: { address: string; link: string; name?: string }[];
}

/** A network namespace of the test's own, held by a sleep: nsrun runs there, never in this machine's. */
function outerNamespace(): ChildProcess {
  return spawn('unshare', ['--net', '--', 'sleep', '1000000'], { stdio: 'ignore' });
}

/** Runs a command in the outer namespace as root, to set it up. */
function inOuter(holder: ChildProcess, command: readonly string[]): void {
  execFileSync('nsenter', [`--net=/proc/${holder.pid ?? 0}/ns/net`, '--', ...command], { stdio: 'ignore' });
}

/** Waits until an asynchronous predicate holds, or fails after timeoutMs. */
async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(20);
  }
}

/** The links of a network namespace, from /proc/PID/net/dev of a process in it. */
function links(pid: number): string[] {
  return readFileSync(`/proc/${pid}/net/dev`, 'utf8')
    .split('\n')
    .flatMap((line) => (line.includes(':') ? [line.split(':')[0]?.trim() ?? ''] : []));
}

describe.each(identities)('networks between sandboxes, as $name', (caller) => {
  const tag = `${caller.uid === 0 ? 'r' : 'u'}${process.pid.toString(36)}`;
  const [lab, other, small] = [`${tag}a`, `${tag}b`, `${tag}c`];
  const third = caller.uid === 0 ? 100 : 110; // 10.89.X.0/24 of the test's own namespaces
  let holder: ChildProcess;
  let who: Identity;
  const servers: string[] = [];
  const pooled: string[] = [];
  const run = (args: readonly string[]): ReturnType<typeof nsrun> => nsrun(args, who);

  const listed = async (): Promise<Listed[]> => {
    const r = await run(['network', 'ls', '--json']);
    expect(r.exitCode).toBe(0);
    return (JSON.parse(r.stdout) as { networks: Listed[] }).networks;
  };
  const network = async (name: string): Promise<Listed> => {
    const found = (await listed()).find((n) => n.name === name);
    if (found === undefined) throw new Error(`network ${name} is not listed`);
    return found;
  };
  /** The links of the namespace a network's bridge is in: the outer one as root, the hub's otherwise. */
  const bridgeLinks = async (name: string): Promise<string[]> => links((await network(name)).hub ?? holder.pid ?? 0);
  const connect = (net: string, host: string): ReturnType<typeof nsrun> => run(['--network', net, '--', node, '-e', CLIENT, host, PORT]);

  beforeAll(async () => {
    holder = outerNamespace();
    const pid = holder.pid ?? 0;
    const outer = (): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[1] ?? ''; // (sleep) once unshare has executed it
    await waitFor(() => existsSync(`/proc/${pid}`) && outer() === '(sleep)');
    // the outer namespace routes nothing between its bridges, whatever this machine forwards; its lo is up, as a host's is
    inOuter(holder, ['sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_forward && ip link set lo up']);
    who = { name: caller.name, prefix: ['nsenter', `--net=/proc/${holder.pid ?? 0}/ns/net`, '--', ...caller.prefix], uid: caller.uid };
  });
  afterAll(async () => {
    for (const name of servers) await run(['rm', name]);
    for (const name of [lab, other, small, ...pooled]) await run(['network', 'rm', '--force', name]);
    holder.kill('SIGKILL');
  });

  it('network create makes a network on the subnet given; ls lists it with its bridge', async () => {
    const r = await run(['network', 'create', lab, '--subnet', `10.89.${third}.0/24`]);
    expect(r).toMatchObject({ exitCode: 0, stdout: `${lab} 10.89.${third}.0/24` });
    expect((await run(['network', 'create', other, '--subnet', `10.89.${third + 1}.0/24`])).exitCode).toBe(0);
    const made = await network(lab);
    expect(made).toMatchObject({ subnet: `10.89.${third}.0/24`, gateway: `10.89.${third}.1`, bridge: `nsr-${lab}`, sandboxes: [] });
    expect(await bridgeLinks(lab)).toContain(`nsr-${lab}`);
    expect(caller.uid === 0 ? made.hub : typeof made.hub).toBe(caller.uid === 0 ? undefined : 'number');
  });

  it('two sandboxes on one network serve the same port; a third on it reaches each by name and by address', async () => {
    for (const name of [`${tag}s1`, `${tag}s2`]) {
      servers.push(name);
      void run(['run', '--name', name, '--network', lab, '--', node, '-e', SERVER, name]);
    }
    let answers: string[] = [];
    for (let tries = 0; tries < 100 && answers.join() !== servers.join(); tries++) {
      answers = await Promise.all(servers.map(async (name) => (await connect(lab, name)).stdout));
      if (answers.join() !== servers.join()) await sleep(100);
    }
    expect(answers).toEqual(servers);
    const members = (await network(lab)).sandboxes;
    expect(members.map((m) => m.name).sort()).toEqual(servers);
    for (const member of members) {
      expect(member.address).toMatch(new RegExp(`^10\\.89\\.${third}\\.\\d+/24$`));
      const byAddress = await connect(lab, member.address.split('/')[0] ?? '');
      expect(byAddress).toMatchObject({ exitCode: 0, stdout: member.name });
    }
  });

  it('a sandbox inside sees eth0 with its own address and a default route to the bridge', async () => {
    const r = await run(['--network', lab, '--', 'cat', '/proc/net/route', '/sys/class/net/eth0/flags']);
    expect(r.exitCode).toBe(0);
    const gateway = `10.89.${third}.1`.split('.').map(Number).reverse().map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
    expect(r.stdout).toMatch(new RegExp(`^eth0\\s+00000000\\s+${gateway}\\s`, 'm'));
    const flags = /^0x([0-9a-f]+)$/m.exec(r.stdout)?.[1];
    expect(Number.parseInt(flags ?? '0', 16) & 1).toBe(1); // IFF_UP
  });

  it('--dry-run with --network NAME shows the address a run would take and claims none', async () => {
    const { dir } = await network(lab);
    // every lease file and every sandbox's hosts copy, as they read: a dry run writes none of them
    const files = (sub: string): string[] => readdirSync(join(dir, sub)).sort().map((f) => `${f}: ${readFileSync(join(dir, sub, f), 'utf8')}`);
    const state = (): string[] => [...files('leases'), ...files('hosts')];
    const before = state();
    const shown = async (): Promise<string> => {
      const r = await run(['--dry-run', '--network', lab, '--', 'true']);
      expect(r.exitCode).toBe(0);
      return (JSON.parse(r.stdout) as { veth: { address: string } }).veth.address;
    };
    const address = await shown();
    expect(address).toMatch(new RegExp(`^10\\.89\\.${third}\\.\\d+/24$`));
    expect(await shown()).toBe(address);
    expect(state()).toEqual(before);
  });

  it("a running sandbox's /etc/hosts follows kept sandboxes as they come and go", async () => {
    const late = `${tag}l`;
    const hosts = async (): Promise<string> => (await run(['exec', '--name', servers[0] ?? '', '--', 'cat', '/etc/hosts'])).stdout;
    expect(await hosts()).not.toMatch(new RegExp(`\\s${late}$`, 'm'));
    expect((await run(['run', '--name', late, '--network', lab, '--', 'true'])).exitCode).toBe(0);
    const address = (await network(lab)).sandboxes.find((m) => m.name === late)?.address.split('/')[0] ?? 'none';
    expect(await hosts()).toMatch(new RegExp(`^${address.replace(/\./g, '\\.')}\\t${late}$`, 'm'));
    expect((await run(['rm', late])).exitCode).toBe(0);
    expect(await hosts()).not.toMatch(new RegExp(`\\s${late}$`, 'm'));
    expect(await hosts()).toMatch(new RegExp(`\\t${servers[1] ?? ''}$`, 'm'));
  });

  it("root of a sandbox's user namespace that remounts its /etc/hosts writable changes no other sandbox's names", async () => {
    const [victim] = servers;
    const forged = `192.0.2.66\t${victim ?? ''}`;
    const hosts = async (args: readonly string[]): Promise<string> => (await run([...args, '--', 'cat', '/etc/hosts'])).stdout;
    const forge = await run(['--flags', 'user,pid', '--network', lab, '--', 'sh', '-c', `mount -o remount,bind,rw /etc/hosts && printf '${forged}\\n' >> /etc/hosts && cat /etc/hosts`]);
    expect(forge).toMatchObject({ exitCode: 0 });
    expect(forge.stdout.split('\n')).toContain(forged);
    for (const reader of [['exec', '--name', victim ?? ''], ['exec', '--name', servers[1] ?? ''], ['--network', lab]]) {
      const seen = await hosts(reader);
      expect(seen).toMatch(new RegExp(`\\t${victim ?? ''}$`, 'm'));
      expect(seen).not.toContain('192.0.2.66');
    }
  });

  it("root of a sandbox on a network cannot take a neighbour's address or open a packet socket, unless --cap-add gives them back", async () => {
    const [victim, peer] = servers;
    const address = (await network(lab)).sandboxes.find((m) => m.name === victim)?.address ?? '';
    const take = `ip address add ${address} dev eth0 2>&1 | grep -o 'Operation not permitted'; python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)' 2>&1 | grep -o PermissionError; true`;
    for (const args of [['--flags', 'user,pid', '--network', lab], ['--flags', 'user,pid', '--network', `sandbox:${peer ?? ''}`], ['exec', '--name', peer ?? '']]) {
      const r = await run([...args, '--', 'sh', '-c', take]);
      expect(r).toMatchObject({ exitCode: 0, stdout: 'Operation not permitted\nPermissionError' });
    }
    const given = await run(['--flags', 'user,pid', '--network', lab, '--cap-add', 'NET_ADMIN', '--', 'sh', '-c', `ip address add 192.0.2.77/32 dev eth0 && echo added`]);
    expect(given).toMatchObject({ exitCode: 0, stdout: 'added' });
    // the victim still answers at its address
    const answer = await connect(lab, address.split('/')[0] ?? '');
    expect(answer).toMatchObject({ exitCode: 0, stdout: victim });
  });

  it("a sandbox in a kept sandbox's network namespace (sandbox:NAME) resolves the network's names as it does", async () => {
    const [host, peer] = servers;
    const r = await run(['--network', `sandbox:${host ?? ''}`, '--', node, '-e', CLIENT, peer ?? '', PORT]);
    expect(r).toMatchObject({ exitCode: 0, stdout: peer });
  });

  it('a sandbox on another network reaches neither by address nor by name', async () => {
    const members = (await network(lab)).sandboxes;
    expect(members.length).toBe(2);
    for (const member of members) {
      expect(await connect(other, member.address.split('/')[0] ?? '')).toMatchObject({ exitCode: 3, stdout: '' });
      expect(await connect(other, member.name ?? '')).toMatchObject({ exitCode: 3, stdout: '' });
    }
  });

  it('network rm is refused while sandboxes are attached; a sandbox that ends leaves no link', async () => {
    const veths = async (): Promise<number> => (await bridgeLinks(lab)).filter((l) => l.startsWith('nsv')).length;
    await waitUntil(async () => (await veths()) === 2); // the two servers'; one of a sandbox just removed goes soon after
    const before = 2;
    const r = await run(['network', 'rm', lab]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^nsrun: network '${lab}' has 2 sandboxes attached: .*--force.*$`));
    expect((await run(['--network', lab, '--', 'true'])).exitCode).toBe(0);
    await waitUntil(async () => (await veths()) === before);
  });

  it('SIGKILL of nsrun at any moment of a sandbox on a network leaves no link', async () => {
    const links0 = await bridgeLinks(lab);
    for (const delay of [0, 5, 15, 30, 60, 120, 400]) {
      const running = run(['--network', lab, '--', 'sleep', '100']);
      await sleep(delay);
      running.kill('SIGKILL');
      await running;
    }
    await waitUntil(async () => (await bridgeLinks(lab)).join() === links0.join(), 10_000);
    expect((await network(lab)).sandboxes.length).toBe(2);
  });

  it('network rm releases the sandboxes and leaves no bridge, hub, link or file', async () => {
    for (const name of servers.splice(0)) expect((await run(['rm', name])).exitCode).toBe(0);
    const made = await network(lab);
    expect((await run(['network', 'rm', lab])).exitCode).toBe(0);
    expect((await listed()).map((n) => n.name)).not.toContain(lab);
    expect(existsSync(made.dir)).toBe(false);
    if (made.hub === undefined) expect(links(holder.pid ?? 0)).not.toContain(`nsr-${lab}`);
    else await waitFor(() => !existsSync(`/proc/${made.hub ?? 0}/ns`));
  });

  it.each([
    ['a name with a dot', ['network', 'create', 'a.b'], 2, /^nsrun: invalid network name 'a\.b'/],
    ['a name too long for its bridge', ['network', 'create', 'abcdefghijkl'], 2, /^nsrun: invalid network name 'abcdefghijkl'/],
    ['a name that is a mode of --network', ['network', 'create', 'pasta'], 2, /^nsrun: invalid network name 'pasta': it is a mode of --network$/],
    ['a prefix out of range', ['network', 'create', 'x', '--subnet', '10.89.0.0/31'], 2, /^nsrun: invalid --subnet '10\.89\.0\.0\/31': expected/],
    ['no prefix', ['network', 'create', 'x', '--subnet', '10.89.0.0'], 2, /^nsrun: invalid --subnet '10\.89\.0\.0'/],
    ['an octet out of range', ['network', 'create', 'x', '--subnet', '10.300.0.0/16'], 2, /^nsrun: invalid --subnet '10\.300\.0\.0\/16'/],
    ['host bits', ['network', 'create', 'x', '--subnet', '10.89.0.5/24'], 2, /did you mean 10\.89\.0\.0\/24\?/],
    ['loopback', ['network', 'create', 'x', '--subnet', '127.1.0.0/16'], 2, /^nsrun: invalid --subnet '127\.1\.0\.0\/16': expected a unicast range/],
    ['an unknown network for run', ['--network', 'nosuch', '--', 'true'], 2, /^nsrun: no network named 'nosuch'/],
    ['an unknown network for rm', ['network', 'rm', 'nosuch'], 2, /^nsrun: no network named 'nosuch'/],
    ['an unknown action', ['network', 'make', 'x'], 2, /^nsrun: unknown network action 'make'/],
    ['shared propagation, under which its /etc/hosts would reach out', ['--network', other, '--propagation', 'shared', '--', 'true'], 2, new RegExp(`^nsrun: --propagation shared cannot be used with --network ${other}, whose /etc/hosts is a mount`)],
  ] as const)('%s is refused with its exit code and one line', async (_, args, code, message) => {
    const r = await run(args);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('a subnet that overlaps another network, or an address of this namespace, is refused naming the clash', async () => {
    const clash = await run(['network', 'create', small, '--subnet', `10.89.${third + 1}.128/25`]);
    expect(clash).toMatchObject({ exitCode: 2, stdout: '' });
    expect(clash.stderr).toBe(`nsrun: subnet 10.89.${third + 1}.128/25 overlaps 10.89.${third + 1}.0/24 of network '${other}' (hint: choose another --subnet)`);
    inOuter(holder, ['ip', 'address', 'add', `10.89.${third + 5}.9/24`, 'dev', 'lo']);
    const own = await run(['network', 'create', small, '--subnet', `10.89.${third + 4}.0/23`]);
    expect(own.exitCode).toBe(2);
    expect(own.stderr).toBe(`nsrun: subnet 10.89.${third + 4}.0/23 overlaps 10.89.${third + 5}.9/24 of lo in this network namespace (hint: choose another --subnet)`);
    expect((await listed()).map((n) => n.name)).not.toContain(small);
  });

  it('network create without --subnet, several at once, gives each its own subnet', async () => {
    const names = [1, 2, 3, 4].map((i) => `${tag}p${i}`);
    pooled.push(...names);
    const made = await Promise.all(names.map((name) => run(['network', 'create', name])));
    for (const [i, r] of made.entries()) expect(r).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(new RegExp(`^${names[i] ?? ''} 10\\.89\\.\\d+\\.0/24$`)) });
    const subnets = (await listed()).filter((n) => names.includes(n.name)).map((n) => n.subnet);
    expect(subnets).toHaveLength(names.length);
    expect(new Set(subnets).size).toBe(names.length);
  });

  it('a full subnet is a setup error naming it; the sandbox is not started', async () => {
    expect((await run(['network', 'create', small, '--subnet', `10.89.${third + 2}.0/30`])).exitCode).toBe(0);
    servers.push(`${tag}f1`);
    expect((await run(['run', '--name', `${tag}f1`, '--network', small, '--', 'true'])).exitCode).toBe(0);
    const full = await run(['--network', small, '--', 'echo', 'ran']);
    expect(full).toMatchObject({ exitCode: 125, stdout: '' });
    expect(full.stderr).toMatch(new RegExp(`^nsrun: network '${small}' is full: every address of 10\\.89\\.${third + 2}\\.0/30 is taken`));
  });
});
