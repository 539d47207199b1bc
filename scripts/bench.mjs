#!/usr/bin/env node
// `make bench`: nsrun beside its peers, in one run: start-up time, the helper
// alone against unshare(1), memory of the waiting processes, and the cost of
// each namespace type. Prints every figure with its peer and the ratio, and
// exits non-zero when a target is missed. Timing uses hyperfine when
// installed, otherwise a loop of its own.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 100);
// BENCH_ONLY=nodes,api (say) runs only those parts: startup, memory, nodes, types, api, scale,
// instructions, network; by default, all of them
const only = (process.env.BENCH_ONLY ?? '').split(',').filter((part) => part !== '');
const measures = (part) => only.length === 0 || only.includes(part);
const work = mkdtempSync(join(tmpdir(), 'nsrun-bench-'));
const nsrun = join(root, 'bin/nsrun');
const helper = join(root, 'libexec/nsrun-helper');
const UNSHARE = 'unshare --user --map-root-user --uts --ipc --pid --fork --mount --mount-proc';

/** A config file for the helper alone, as nsrun --dry-run writes it. */
function configFor(flags, ...more) {
  const file = join(work, `${flags || 'none'}${more.join('')}.json`);
  const args = flags === '' ? ['--flags', 'user', '--dry-run'] : ['--flags', flags, '--dry-run'];
  const config = JSON.parse(execFileSync(nsrun, [...args, ...more, '--', 'true'], { encoding: 'utf8' }));
  if (flags === '') {
    config.namespaces = [];
    for (const key of ['uid-map', 'gid-map', 'setgroups']) delete config[key];
  }
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The middle value. */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Commands are timed in alternating rounds, so that a machine that speeds up or slows down
// meanwhile (a virtual one does) favours none of them: short rounds of a few runs each, for the
// ratios of start-up times; the API's rates in ROUNDS rounds.
const ROUNDS = 5;
const TIME_ROUNDS = 20;

/** Medians in ms of commands run without a shell, in TIME_ROUNDS hyperfine runs of all of them. */
function time(commands, env = process.env) {
  if (spawnSync('hyperfine', ['--version']).status !== 0) return loop(commands, env);
  const out = join(work, 'times.json');
  const samples = commands.map(() => []);
  for (let round = 0; round < TIME_ROUNDS; round++) {
    const perRound = String(Math.max(2, Math.ceil(runs / TIME_ROUNDS)));
    const warmup = round === 0 ? '2' : '1';
    execFileSync('hyperfine', ['--shell=none', '--warmup', warmup, '--runs', perRound, '--export-json', out, '--style', 'none', ...commands], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    JSON.parse(readFileSync(out, 'utf8')).results.forEach((r, i) => samples[i].push(...r.times));
  }
  return samples.map((times) => median(times) * 1000);
}

/** The same without hyperfine: each command in turn, runs times. */
function loop(commands, env) {
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach((command, c) => {
      const [file, ...args] = command.split(' ');
      const t = process.hrtime.bigint();
      spawnSync(file, args, { stdio: 'ignore', env });
      samples[c].push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  return samples.map(median);
}

/** Resident memory (kB) of a process, and of its descendants by name. */
function rss(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

function children(pid) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Starts command (which runs `sleep`), then measures the process picked from its tree. */
async function memoryOf(command, pick) {
  const child = spawn(command[0], command.slice(1), { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 700));
  const kb = rss(pick(child.pid));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  return kb;
}

const rows = [];
const checks = [];
const row = (what, value, unit, peer, peerValue) => rows.push({ what, value, unit, peer, peerValue });
// a check out of reach says why, and a miss of it does not fail the bench
const check = (what, value, target, outOfReach) => checks.push({ what, value, target, outOfReach });

// what any Node CLI pays to start a program: node, child_process, one spawn of true
const spawnTrue = join(work, 'spawn-true.cjs');
writeFileSync(spawnTrue, "require('node:child_process').spawn('true', { stdio: 'inherit' });\n");

// 1. start-up and the helper alone
const startup = configFor('uts,ipc,pid,ns,user');
const withNet = configFor('uts,ipc,pid,ns,user,net');
// the floor, what nsrun cannot go below: node starting the helper, which makes the namespaces, with
// no nsrun code, and ending as nsrun does, without Node's teardown of its heap (src/cli/start.ts)
const spawnHelper = join(work, 'spawn-helper.cjs');
writeFileSync(
  spawnHelper,
  `require('node:child_process').spawn(${JSON.stringify(helper)}, ['--config', ${JSON.stringify(startup)}], { stdio: 'inherit' });
process.once('beforeExit', () => process.exit());\n`,
);
const { NODE_EXTRA_CA_CERTS: certificates, ...withoutCertificates } = process.env;
// start-up part by part (section 1), printed at the end
const parts = [];
let partTimes = [];
if (measures('startup')) {
  const [tNsrun, tHelper, tUnshare, tNode, tHelperNet, tUnshareNet, tSpawn, tSpawnHelper] = time([
    `${nsrun} --flags uts,ipc,pid,ns,user -- true`,
    `${helper} --config ${startup}`,
    `${UNSHARE} true`,
    'node -e 0',
    `${helper} --config ${withNet}`,
    `${UNSHARE} --net true`,
    `node ${spawnTrue}`,
    `node ${spawnHelper}`,
  ]);
  row('nsrun --flags uts,ipc,pid,ns,user -- true', tNsrun, 'ms', 'node -e 0', tNode);
  row('nsrun --flags uts,ipc,pid,ns,user -- true', tNsrun, 'ms', 'node spawning true', tSpawn);
  row('nsrun --flags uts,ipc,pid,ns,user -- true', tNsrun, 'ms', 'node spawning the helper (the floor)', tSpawnHelper);
  // Where the floor alone is over the target, no Node program that starts the helper meets it on
  // this machine: the target is out of reach there. nsrun's own share over the floor is checked always.
  const startupTarget = 1.15;
  const floor = tSpawnHelper / tNode;
  check(`nsrun start-up / node -e 0 (the floor: ${floor.toFixed(2)})`, tNsrun / tNode, startupTarget, floor > startupTarget ? 'out of reach, by the floor' : undefined);
  check('nsrun start-up / the floor (nsrun\'s own code)', tNsrun / tSpawnHelper, 1.1);
  // With NODE_EXTRA_CA_CERTS set, every node parses that certificate file as it starts (tens of ms),
  // which the ratio above counts on both sides. Without it: the start-up part by part, one program
  // a part, and the same ratios again.
  const script = (name, text) => {
    const file = join(work, name);
    writeFileSync(file, `${text}\n`);
    return `node ${file}`;
  };
  const [bundle, cache] = [join(root, 'dist/nsrun.cjs'), join(root, 'dist/nsrun.cache')].map((f) => JSON.stringify(f));
  parts.push(
    ['node -e 0', 'node -e 0'],
    ['an empty script', script('empty.cjs', '')],
    [
      'the bundle compiled from its code cache, not run',
      script(
        'compile.cjs',
        `const { readFileSync } = require('node:fs');
const source = require('node:module').wrap(readFileSync(${bundle}, 'utf8'));
// the cache starts with the bundle's build id, its first line (bin/nsrun)
const id = source.indexOf('\\n') - source.indexOf('//') + 1;
new (require('node:vm').Script)(source, { filename: ${bundle}, cachedData: readFileSync(${cache}).subarray(id) });`,
      ),
    ],
    ['an empty script that loads child_process', script('load.cjs', "require('node:child_process');")],
    ['nsrun --version', `${nsrun} --version`],
    ['nsrun --dry-run (options validated, config printed)', `${nsrun} --flags uts,ipc,pid,ns,user --dry-run -- true`],
    ['node spawning true', `node ${spawnTrue}`],
    [
      'node spawning true with a pipe to it, read as a stream',
      script('spawn-pipe.cjs', "require('node:child_process').spawn('true', { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] }).stdio[3].setEncoding('utf8').resume();"),
    ],
    ['node spawning the helper (the floor)', `node ${spawnHelper}`],
    ['nsrun --flags uts,ipc,pid,ns,user -- true', `${nsrun} --flags uts,ipc,pid,ns,user -- true`],
  );
  partTimes = time(
    parts.map(([, command]) => command),
    withoutCertificates,
  );
  const part = (what) => partTimes[parts.findIndex(([name]) => name === what)];
  if (certificates !== undefined) {
    const bare = part('nsrun --flags uts,ipc,pid,ns,user -- true');
    row('the same, without NODE_EXTRA_CA_CERTS', bare, 'ms', 'node -e 0, without it', part('node -e 0'));
    row('the same, without NODE_EXTRA_CA_CERTS', bare, 'ms', 'node spawning true, without it', part('node spawning true'));
    row('the same, without NODE_EXTRA_CA_CERTS', bare, 'ms', 'the floor, without it', part('node spawning the helper (the floor)'));
  }
  row('helper alone, same namespaces', tHelper, 'ms', 'unshare(1)', tUnshare);
  check('helper / unshare(1)', tHelper / tUnshare, 0.9);
  row('helper alone, with net', tHelperNet, 'ms', 'unshare(1) --net', tUnshareNet);
  check('helper / unshare(1), with net', tHelperNet / tUnshareNet, 1.0);
}

// 2. memory of the processes that wait for the command
const sleeper = ['--', 'sleep', '3'];
const helperKb = await memoryOf([nsrun, '--flags', 'uts,ipc,pid,ns,user', ...sleeper], (node) => children(node)[0]);
const initKb = await memoryOf([nsrun, '--flags', 'uts,ipc,pid,ns,user', '--init', ...sleeper], (node) => children(children(node)[0])[0]);
const unshareKb = await memoryOf([...UNSHARE.split(' '), 'sleep', '3'], (pid) => pid);
const bwrapKb = await memoryOf(
  ['bwrap', '--unshare-user', '--unshare-uts', '--unshare-ipc', '--unshare-pid', '--bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'sleep', '3'],
  (pid) => pid,
);
if (measures('memory')) {
  row('helper waiting for the command (RSS)', helperKb, 'kB', 'unshare(1) waiting', unshareKb);
  row('--init as PID 1 (RSS)', initKb, 'kB', 'bwrap waiting', bwrapKb);
  check('helper RSS / 300 kB', helperKb / 300, 1.0);
  check('init RSS / 300 kB', initKb / 300, 1.0);
}

// 2b. per Node version: the node on PATH (20 on this machine: nsrun spawns the helper and waits)
// and Node 24 LTS ($NODE24, from scripts/node24.sh: nsrun hands its process to the helper).
// Start-up beside that node's `node -e 0` and its floor: node reading a config and handing its
// process to the helper (process.execve), or spawning it where it has no execve; the memory of
// every process between the shell and the command while it runs, beside unshare(1) and bwrap.
const handoverFloor = join(work, 'handover-floor.cjs');
writeFileSync(
  handoverFloor,
  `const config = require('node:fs').readFileSync(${JSON.stringify(startup)}, 'utf8');
process.execve(${JSON.stringify(helper)}, [${JSON.stringify(helper)}, '--config-env', 'NSRUN_CONFIG'], { NSRUN_CONFIG: config });\n`,
);
/** RSS (kB) of every process from the one command starts down to, not including, its `sleep`. */
async function chainKb(command, env) {
  const child = spawn(command[0], command.slice(1), { stdio: 'ignore', env });
  await new Promise((r) => setTimeout(r, 700));
  let kb = 0;
  for (let pid = child.pid; pid !== undefined && readFileSync(`/proc/${pid}/comm`, 'utf8') !== 'sleep\n'; pid = children(pid)[0]) kb += rss(pid);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  return kb;
}
const nodes = [['node', execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim()]];
if (process.env.NODE24) nodes.push(['Node 24', process.env.NODE24]);
for (const [name, node] of measures('nodes') ? nodes : []) {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const handsOver = execFileSync(node, ['-p', "typeof process.execve === 'function'"], { encoding: 'utf8' }).trim() === 'true';
  const env = { ...process.env, PATH: `${join(node, '..')}:${process.env.PATH}` };
  const floorName = handsOver ? `${version} handing over to the helper (the floor)` : `${version} spawning the helper (the floor)`;
  const [tRun, tBare, tFloor] = time([`${nsrun} --flags uts,ipc,pid,ns,user -- true`, `${node} -e 0`, `${node} ${handsOver ? handoverFloor : spawnHelper}`], env);
  row(`${name} (${version}): nsrun --flags uts,ipc,pid,ns,user -- true`, tRun, 'ms', `node -e 0 (${version})`, tBare);
  row(`${name} (${version}): nsrun --flags uts,ipc,pid,ns,user -- true`, tRun, 'ms', floorName, tFloor);
  const kb = await chainKb([nsrun, '--flags', 'uts,ipc,pid,ns,user', ...sleeper], env);
  row(`${name} (${version}): everything between the shell and the command (RSS)`, kb, 'kB', 'unshare(1) waiting', unshareKb);
  row(`${name} (${version}): everything between the shell and the command (RSS)`, kb, 'kB', 'bwrap waiting', bwrapKb);
  if (handsOver) {
    const reach = tFloor / tBare > 1.1 ? 'out of reach, by the floor' : undefined;
    check(`${version}: nsrun start-up / node -e 0 (the floor: ${(tFloor / tBare).toFixed(2)})`, tRun / tBare, 1.1, reach);
    check(`${version}: between the shell and the command / 300 kB`, kb / 300, 1.0);
  } else {
    check(`${version}: nsrun start-up / the floor`, tRun / tFloor, 1.1);
  }
}

// 3. the cost of each namespace type, helper alone, against no namespace at all
const kinds = ['uts', 'ipc', 'pid', 'ns', 'net', 'user', 'cgroup', 'time'];
const perType = measures('types') ? time([`${helper} --config ${configFor('')}`, ...kinds.map((k) => `${helper} --config ${configFor(k)}`)]) : [];
const base = perType[0];

// 4. throughput from the API: sandboxes a second from one node process, against the same
// loop spawning unshare(1) (both capture the command's output)
const api = await import(join(root, 'dist/index.js'));
const FLAGS = 'uts,ipc,pid,ns,user';
const viaApi = () => api.run(['true'], { flags: FLAGS });
const viaUnshare = () =>
  new Promise((resolve, reject) => {
    const child = spawn('unshare', [...UNSHARE.split(' ').slice(1), 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`unshare exited ${code}`))));
  });
async function perSecond(start, concurrency, total) {
  let next = 0;
  const worker = async () => {
    while (next++ < total) await start();
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - t) / 1000);
}
for (const concurrency of measures('api') ? [1, 2] : []) {
  await perSecond(viaApi, concurrency, 10);
  const rates = { ours: [], theirs: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rates.ours.push(await perSecond(viaApi, concurrency, Math.ceil(Math.max(runs * 2, 100) / ROUNDS)));
    rates.theirs.push(await perSecond(viaUnshare, concurrency, Math.ceil(Math.max(runs * 2, 100) / ROUNDS)));
  }
  const [ours, theirs] = [median(rates.ours), median(rates.theirs)];
  row(`run(['true']) from the API, ${concurrency} at a time`, ours, '/s', `unshare(1) spawned, ${concurrency} at a time`, theirs);
  check(`unshare(1) / API sandboxes a second, ${concurrency} at a time`, theirs / ours, 1.0);
}

// 5. scale: 1000 sandboxes alive at once, each running sleep, from one node process
const SCALE = measures('scale') ? Number(process.env.BENCH_SCALE ?? 1000) : 0;
const available = () => Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]);
const memBefore = available();
const tScale = performance.now();
const sandboxes = Array.from({ length: SCALE }, () => api.spawn(['sleep', '1000'], { flags: FLAGS, stdio: 'ignore', reject: false }));
const up = await Promise.allSettled(sandboxes.map((s) => s.ready));
const startSeconds = (performance.now() - tScale) / 1000;
const started = up.filter((u) => u.status === 'fulfilled').length;
const perSandboxKb = (memBefore - available()) / SCALE;
const helperRss = up
  .filter((u) => u.status === 'fulfilled')
  .map((u) => {
    try {
      return rss(Number(readFileSync(`/proc/${u.value.pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]));
    } catch {
      return NaN;
    }
  });
for (const s of sandboxes) s.kill('SIGTERM');
const ended = await Promise.allSettled(sandboxes.map((s) => s.result));
const stoppedCleanly = ended.filter((e) => e.status === 'fulfilled' && e.value.signal === 'SIGTERM').length;
// every helper and every sandbox's PID 1 must be gone
const left = [...sandboxes.map((s) => s.child.pid), ...up.filter((u) => u.status === 'fulfilled').map((u) => u.value.pid)].filter((pid) =>
  existsSync(`/proc/${pid}`),
).length;
const scaleRows = [
  ['sandboxes started', `${started} of ${SCALE}`, `in ${startSeconds.toFixed(1)} s`],
  ['memory per sandbox (MemAvailable drop / sandboxes)', `${perSandboxKb.toFixed(0)} kB`, 'helper + sleep + kernel'],
  ['helper RSS, median', `${median(helperRss)} kB`, ''],
  ['stopped by SIGTERM', `${stoppedCleanly} of ${SCALE}`, ''],
  ['processes left (helpers, sleeps)', String(left), ''],
];
if (SCALE > 0) check(`sandboxes of ${SCALE} not started, not stopped, or left running`, SCALE - started + (SCALE - stoppedCleanly) + left, 0);

// 6. what node executes before and while the helper runs, in instructions (callgrind counts
// them the same on a busy machine): bare node, the floor, nsrun as ES modules, bundled, cached;
// without NODE_EXTRA_CA_CERTS, whose certificates would be most of every count
const instructions = (command) => {
  const out = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...command], { encoding: 'utf8', env: withoutCertificates });
  return Number(/Collected : (\d+)/.exec(out.stderr ?? '')?.[1] ?? NaN);
};
const counted = measures('instructions') && spawnSync('valgrind', ['--version']).status === 0;
const steps = counted
  ? [
      ['node -e 0', ['node', '-e', '0']],
      ['node spawning true', ['node', spawnTrue]],
      ['node spawning the helper (the floor)', ['node', spawnHelper]],
      ['nsrun from the ES modules tsc writes', ['node', join(root, 'dist/cli/start.js'), '--flags', 'uts,ipc,pid,ns,user', '--', 'true']],
      ['nsrun bundled, compiled afresh', ['node', join(root, 'dist/nsrun.cjs'), '--flags', 'uts,ipc,pid,ns,user', '--', 'true']],
      ['nsrun bundled, from its code cache (bin/nsrun)', ['node', nsrun, '--flags', 'uts,ipc,pid,ns,user', '--', 'true']],
    ].map(([what, command]) => [what, instructions(command)])
  : [];

// 7. networks (scripts/bench-network.mjs), as root in a network namespace of the bench's own
if (process.geteuid() === 0 && measures('network')) {
  const out = execFileSync('unshare', ['--net', 'node', join(root, 'scripts/bench-network.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const network = JSON.parse(out);
  rows.push(...network.rows);
  checks.push(...network.checks);
}

rmSync(work, { recursive: true, force: true });
const ms = (v) => v.toFixed(2);
console.log('| measure | nsrun | peer | peer figure | ratio |');
console.log('| --- | ---: | --- | ---: | ---: |');
for (const r of rows) {
  const show = r.unit === 'ms' ? ms : r.unit === '/s' ? (v) => v.toFixed(0) : r.unit === 'Gbit/s' ? (v) => v.toFixed(1) : (v) => String(v);
  console.log(`| ${r.what} | ${show(r.value)} ${r.unit} | ${r.peer} | ${show(r.peerValue)} ${r.unit} | ${(r.value / r.peerValue).toFixed(2)}× |`);
}
console.log('');
if (SCALE > 0) {
  console.log(`| ${SCALE} sandboxes at once (\`sleep\`, ${FLAGS}) | figure | note |`);
  console.log('| --- | ---: | --- |');
  for (const [what, figure, note] of scaleRows) console.log(`| ${what} | ${figure} | ${note} |`);
  console.log('');
}
if (parts.length > 0) {
  console.log('| start-up, part by part (without NODE_EXTRA_CA_CERTS) | median |');
  console.log('| --- | ---: |');
  parts.forEach(([what], i) => console.log(`| ${what} | ${ms(partTimes[i])} ms |`));
  console.log('');
}
if (perType.length > 0) {
  console.log('| namespace type (helper alone, `true`) | median | over none |');
  console.log('| --- | ---: | ---: |');
  console.log(`| none | ${ms(base)} ms | |`);
  kinds.forEach((k, i) => console.log(`| ${k} | ${ms(perType[i + 1])} ms | +${ms(perType[i + 1] - base)} ms |`));
  console.log('');
}
if (counted) {
  console.log('| node process, start to exit (callgrind, without NODE_EXTRA_CA_CERTS) | instructions | over node -e 0 |');
  console.log('| --- | ---: | ---: |');
  const bare = steps[0][1];
  for (const [what, n] of steps) console.log(`| ${what} | ${(n / 1e6).toFixed(1)} M | ${(n / bare).toFixed(3)}× |`);
  console.log('');
}
console.log('| target | measured | target | met |');
console.log('| --- | ---: | ---: | --- |');
// a check is at most its target, or with atLeast at least it
const met = (c) => (c.atLeast === true ? c.value >= c.target : c.value <= c.target);
for (const c of checks) {
  const target = `${c.atLeast === true ? '≥' : '≤'} ${c.target}`;
  console.log(`| ${c.what} | ${c.value.toFixed(2)} | ${target} | ${met(c) ? 'yes' : c.outOfReach === undefined ? 'NO' : `no, ${c.outOfReach}`} |`);
}
process.exitCode = checks.every((c) => met(c) || c.outOfReach !== undefined) ? 0 : 1;
