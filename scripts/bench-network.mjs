#!/usr/bin/env node
// The network rows of `make bench`, run by scripts/bench.mjs as root in a network namespace of
// its own (never this machine's): what attaching a sandbox to a network adds to its set-up (the
// API's timings.setupMs, as for the backends of --network) and to a whole CLI run, beside the
// same made with ip(8) calls; TCP between two sandboxes on one network (iperf3),
// beside a veth pair made by hand and loopback. Prints {"rows": [...], "checks": [...]} as JSON.
import { execFileSync, spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const nsrun = `${root}bin/nsrun`;
const runs = Number(process.env.BENCH_RUNS ?? 100);
const NET = `bench${process.pid % 100000}`;
const FLAGS = 'uts,ipc,pid,ns,net';
const SECONDS = '3';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sh = (script) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });

/** Medians in ms of each command, run in turn `runs` times. */
function loop(commands) {
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach(([file, ...args], c) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(file, args, { stdio: 'ignore' });
      samples[c].push(r.status === 0 ? Number(process.hrtime.bigint() - t) / 1e6 : NaN);
    });
  }
  return samples.map(median);
}

/**
 * Medians in ms of the set-up of run(['true']) (from the call until the command is executed)
 * without and with --network NAME, in alternating rounds so that a machine that slows down
 * meanwhile favours neither, and the median of each round's difference.
 */
async function setupLoop() {
  const { run } = await import(`${root}dist/index.js`);
  const samples = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [c, network] of ['none', NET].entries()) samples[c].push((await run(['true'], { flags: FLAGS.split(','), network })).timings.setupMs);
  }
  return [...samples.map(median), median(samples[1].map((v, i) => v - samples[0][i]))];
}

/** A sandbox on a bridge made the usual way: a net namespace, then ip calls for the veth, its address, link and route. */
const BY_IP = `
  unshare --net sleep 60 & pid=$!
  while [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do :; done
  ip link add vb$pid type veth peer name eth0 netns $pid
  ip link set vb$pid master byip up
  nsenter -t $pid -n ip address add 10.89.251.2/24 dev eth0
  nsenter -t $pid -n ip link set eth0 up
  nsenter -t $pid -n ip link set lo up
  nsenter -t $pid -n ip route add default via 10.89.251.1
  kill $pid`;

/** TCP throughput in Gbit/s of iperf3 -c address, run by `client` (a command prefix). */
function iperf(client, address) {
  const out = execFileSync(client[0], [...client.slice(1), 'iperf3', '-c', address, '-t', SECONDS, '-J'], { encoding: 'utf8' });
  return JSON.parse(out).end.sum_received.bits_per_second / 1e9;
}

/** Waits until an iperf3 server answers at address from `client`. */
function serverUp(client, address) {
  for (let i = 0; i < 100; i++) {
    if (spawnSync(client[0], [...client.slice(1), 'iperf3', '-c', address, '-n', '1K'], { stdio: 'ignore' }).status === 0) return;
    spawnSync('sleep', ['0.1']);
  }
  throw new Error(`no iperf3 server at ${address}`);
}

const rows = [];
const checks = [];
execFileSync(nsrun, ['network', 'create', NET, '--subnet', '10.89.250.0/24'], { stdio: 'ignore' });
sh('ip link add byip type bridge && ip address add 10.89.251.1/24 dev byip && ip link set byip up && ip link set lo up');
try {
  const [plain, attached, byIp] = loop([
    [nsrun, '--flags', FLAGS, '--', 'true'],
    [nsrun, '--flags', FLAGS, '--network', NET, '--', 'true'],
    ['sh', '-c', BY_IP],
  ]);
  const [setupPlain, setupAttached, setupAdded] = await setupLoop();
  rows.push({ what: `set-up of run(['true'], { network: NAME }), flags ${FLAGS}`, value: setupAttached, unit: 'ms', peer: 'the same with network none', peerValue: setupPlain });
  rows.push({ what: 'what --network NAME adds to the set-up (median of the rounds\' differences)', value: setupAdded, unit: 'ms', peer: 'a veth, address, link and route by 6 ip calls', peerValue: byIp });
  rows.push({ what: `nsrun --network NAME --flags ${FLAGS} -- true, the whole CLI run`, value: attached, unit: 'ms', peer: 'the same without --network', peerValue: plain });
  checks.push({ what: 'ms --network NAME adds to a sandbox\'s set-up', value: setupAdded, target: 5 });

  if (spawnSync('iperf3', ['--version']).status === 0) {
    const server = spawn(nsrun, ['run', '--name', `${NET}-srv`, '--network', NET, '--', 'iperf3', '-s'], { stdio: 'ignore' });
    const client = [nsrun, '--flags', FLAGS, '--network', NET, '--'];
    serverUp(client, `${NET}-srv`);
    const sandboxes = iperf(client, `${NET}-srv`);
    server.kill();
    // the peers: two namespaces joined by a veth pair made by hand, and loopback in one
    const pair = sh(`
      unshare --net sleep 60 >/dev/null 2>&1 & a=$!; unshare --net sleep 60 >/dev/null 2>&1 & b=$!
      for p in $a $b; do while [ "$(readlink /proc/$p/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do :; done; done
      ip link add va type veth peer name vb; ip link set va netns $a; ip link set vb netns $b
      nsenter -t $a -n sh -c 'ip address add 10.89.252.1/24 dev va; ip link set va up; ip link set lo up'
      nsenter -t $b -n sh -c 'ip address add 10.89.252.2/24 dev vb; ip link set vb up'
      echo $a $b`).trim().split(' ');
    const [a, b] = pair;
    const srv = spawn('nsenter', ['-t', a, '-n', 'iperf3', '-s'], { stdio: 'ignore' });
    serverUp(['nsenter', '-t', b, '-n'], '10.89.252.1');
    const byHand = iperf(['nsenter', '-t', b, '-n'], '10.89.252.1');
    const loopback = iperf(['nsenter', '-t', a, '-n'], '127.0.0.1');
    srv.kill();
    sh(`kill ${a} ${b}`);
    rows.push({ what: 'TCP sandbox to sandbox on one network (iperf3)', value: sandboxes, unit: 'Gbit/s', peer: 'a veth pair made by hand', peerValue: byHand });
    rows.push({ what: 'TCP sandbox to sandbox on one network (iperf3)', value: sandboxes, unit: 'Gbit/s', peer: 'loopback', peerValue: loopback });
    checks.push({ what: 'Gbit/s TCP sandbox to sandbox', value: sandboxes, target: 10, atLeast: true });
  }
} finally {
  spawnSync(nsrun, ['rm', `${NET}-srv`], { stdio: 'ignore' });
  spawnSync(nsrun, ['network', 'rm', '--force', NET], { stdio: 'ignore' });
  spawnSync('ip', ['link', 'delete', 'byip'], { stdio: 'ignore' });
}
console.log(JSON.stringify({ rows, checks }));
