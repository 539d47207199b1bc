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

/** Medians in ms of commands run without a shell, all in one hyperfine run. */
function time(commands) {
  if (spawnSync('hyperfine', ['--version']).status !== 0) return commands.map((c) => loop(c));
  const out = join(work, 'times.json');
  execFileSync('hyperfine', ['--shell=none', '--warmup', '5', '--runs', String(runs), '--export-json', out, '--style', 'none', ...commands], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8')).results.map((r) => r.median * 1000);
}

function loop(command) {
  const [file, ...args] = command.split(' ');
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    spawnSync(file, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
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
const check = (what, value, target) => checks.push({ what, value, target });

// the floor of any Node CLI that starts a program: node, child_process, one spawn of true
const spawnTrue = join(work, 'spawn-true.cjs');
writeFileSync(spawnTrue, "require('node:child_process').spawn('true', { stdio: 'inherit' });\n");

// 1. start-up and the helper alone
const startup = configFor('uts,ipc,pid,ns,user');
const withNet = configFor('uts,ipc,pid,ns,user,net');
const [tNsrun, tHelper, tUnshare, tNode, tHelperNet, tUnshareNet, tSpawn] = time([
  `${nsrun} --flags uts,ipc,pid,ns,user -- true`,
  `${helper} --config ${startup}`,
  `${UNSHARE} true`,
  'node -e 0',
  `${helper} --config ${withNet}`,
  `${UNSHARE} --net true`,
  `node ${spawnTrue}`,
]);
row('nsrun --flags uts,ipc,pid,ns,user -- true', tNsrun, 'ms', 'node -e 0', tNode);
row('nsrun --flags uts,ipc,pid,ns,user -- true', tNsrun, 'ms', 'node spawning true (the floor)', tSpawn);
check('nsrun start-up / node -e 0', tNsrun / tNode, 1.15);
row('helper alone, same namespaces', tHelper, 'ms', 'unshare(1)', tUnshare);
check('helper / unshare(1)', tHelper / tUnshare, 0.9);
row('helper alone, with net', tHelperNet, 'ms', 'unshare(1) --net', tUnshareNet);
check('helper / unshare(1), with net', tHelperNet / tUnshareNet, 1.0);

// 2. memory of the processes that wait for the command
const sleeper = ['--', 'sleep', '3'];
const helperKb = await memoryOf([nsrun, '--flags', 'uts,ipc,pid,ns,user', ...sleeper], (node) => children(node)[0]);
const initKb = await memoryOf([nsrun, '--flags', 'uts,ipc,pid,ns,user', '--init', ...sleeper], (node) => children(children(node)[0])[0]);
const unshareKb = await memoryOf([...UNSHARE.split(' '), 'sleep', '3'], (pid) => pid);
const bwrapKb = await memoryOf(
  ['bwrap', '--unshare-user', '--unshare-uts', '--unshare-ipc', '--unshare-pid', '--bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'sleep', '3'],
  (pid) => pid,
);
row('helper waiting for the command (RSS)', helperKb, 'kB', 'unshare(1) waiting', unshareKb);
row('--init as PID 1 (RSS)', initKb, 'kB', 'bwrap waiting', bwrapKb);
check('helper RSS / 300 kB', helperKb / 300, 1.0);
check('init RSS / 300 kB', initKb / 300, 1.0);

// 3. the cost of each namespace type, helper alone, against no namespace at all
const kinds = ['uts', 'ipc', 'pid', 'ns', 'net', 'user', 'cgroup', 'time'];
const perType = time([`${helper} --config ${configFor('')}`, ...kinds.map((k) => `${helper} --config ${configFor(k)}`)]);
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
async function perSecond(start, concurrency, total = Math.max(runs * 2, 100)) {
  let next = 0;
  const worker = async () => {
    while (next++ < total) await start();
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - t) / 1000);
}
for (const concurrency of [1, 2]) {
  await perSecond(viaApi, concurrency, 10);
  const ours = await perSecond(viaApi, concurrency);
  const theirs = await perSecond(viaUnshare, concurrency);
  row(`run(['true']) from the API, ${concurrency} at a time`, ours, '/s', `unshare(1) spawned, ${concurrency} at a time`, theirs);
  check(`unshare(1) / API sandboxes a second, ${concurrency} at a time`, theirs / ours, 1.0);
}

// 5. scale: 1000 sandboxes alive at once, each running sleep, from one node process
const SCALE = Number(process.env.BENCH_SCALE ?? 1000);
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
  ['helper RSS, median', `${helperRss.sort((a, b) => a - b)[Math.floor(helperRss.length / 2)]} kB`, ''],
  ['stopped by SIGTERM', `${stoppedCleanly} of ${SCALE}`, ''],
  ['processes left (helpers, sleeps)', String(left), ''],
];
check(`sandboxes of ${SCALE} not started, not stopped, or left running`, SCALE - started + (SCALE - stoppedCleanly) + left, 0);

// 6. what node executes before and while the helper runs, in instructions (callgrind counts
// them the same on a busy machine): bare node, the floor, nsrun as ES modules, bundled, cached
const instructions = (command) => {
  const out = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...command], { encoding: 'utf8' });
  return Number(/Collected : (\d+)/.exec(out.stderr ?? '')?.[1] ?? NaN);
};
const counted = spawnSync('valgrind', ['--version']).status === 0;
const steps = counted
  ? [
      ['node -e 0', ['node', '-e', '0']],
      ['node spawning true (the floor)', ['node', spawnTrue]],
      ['nsrun from the ES modules tsc writes', ['node', join(root, 'dist/cli/start.js'), '--flags', 'uts,ipc,pid,ns,user', '--', 'true']],
      ['nsrun bundled, compiled afresh', ['node', join(root, 'dist/nsrun.cjs'), '--flags', 'uts,ipc,pid,ns,user', '--', 'true']],
      ['nsrun bundled, from its code cache (bin/nsrun)', ['node', nsrun, '--flags', 'uts,ipc,pid,ns,user', '--', 'true']],
    ].map(([what, command]) => [what, instructions(command)])
  : [];

rmSync(work, { recursive: true, force: true });
const ms = (v) => v.toFixed(2);
console.log('| measure | nsrun | peer | peer figure | ratio |');
console.log('| --- | ---: | --- | ---: | ---: |');
for (const r of rows) {
  const show = r.unit === 'ms' ? ms : r.unit === '/s' ? (v) => v.toFixed(0) : (v) => String(v);
  console.log(`| ${r.what} | ${show(r.value)} ${r.unit} | ${r.peer} | ${show(r.peerValue)} ${r.unit} | ${(r.value / r.peerValue).toFixed(2)}× |`);
}
console.log('');
console.log(`| ${SCALE} sandboxes at once (\`sleep\`, ${FLAGS}) | figure | note |`);
console.log('| --- | ---: | --- |');
for (const [what, figure, note] of scaleRows) console.log(`| ${what} | ${figure} | ${note} |`);
console.log('');
console.log('| namespace type (helper alone, `true`) | median | over none |');
console.log('| --- | ---: | ---: |');
console.log(`| none | ${ms(base)} ms | |`);
kinds.forEach((k, i) => console.log(`| ${k} | ${ms(perType[i + 1])} ms | +${ms(perType[i + 1] - base)} ms |`));
console.log('');
if (counted) {
  console.log('| node process, start to exit (callgrind) | instructions | over node -e 0 |');
  console.log('| --- | ---: | ---: |');
  const bare = steps[0][1];
  for (const [what, n] of steps) console.log(`| ${what} | ${(n / 1e6).toFixed(1)} M | ${(n / bare).toFixed(3)}× |`);
  console.log('');
}
console.log('| target | measured | at most | met |');
console.log('| --- | ---: | ---: | --- |');
for (const c of checks) console.log(`| ${c.what} | ${c.value.toFixed(2)} | ${c.target} | ${c.value <= c.target ? 'yes' : 'NO'} |`);
process.exitCode = checks.every((c) => c.value <= c.target) ? 0 : 1;
