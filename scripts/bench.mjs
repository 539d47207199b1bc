#!/usr/bin/env node
// `make bench`: nsrun beside its peers, one run, medians and ratios.
// Uses hyperfine when installed, otherwise a timing loop of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 100);
const work = mkdtempSync(join(tmpdir(), 'nsrun-bench-'));
const flags = 'uts,ipc,pid,ns,user';

const config = execFileSync(join(root, 'bin/nsrun'), ['--dry-run', '--flags', flags, '--', 'true'], { encoding: 'utf8' });
const configFile = join(work, 'config.json');
writeFileSync(configFile, config);

const cases = [
  { name: 'nsrun', command: `${root}bin/nsrun --flags ${flags} -- true` },
  { name: 'helper alone', command: `${root}libexec/nsrun-helper --config ${configFile}` },
  { name: 'unshare(1)', command: 'unshare --user --map-root-user --uts --ipc --pid --fork --mount --mount-proc true' },
  { name: 'node -e 0', command: 'node -e 0' },
];

function hasHyperfine() {
  return spawnSync('hyperfine', ['--version']).status === 0;
}

function withHyperfine() {
  const out = join(work, 'results.json');
  execFileSync('hyperfine', ['--shell=none', '--warmup', '5', '--runs', String(runs), '--export-json', out, '--style', 'none', ...cases.map((c) => c.command)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8')).results.map((r, i) => ({ ...cases[i], median: r.median * 1000 }));
}

function withLoop() {
  return cases.map((c) => {
    const [file, ...args] = c.command.split(' ');
    return { ...c, median: median(() => spawnSync(file, args, { stdio: 'ignore' })) };
  });
}

function median(run) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const results = hasHyperfine() ? withHyperfine() : withLoop();
rmSync(work, { recursive: true, force: true });
const by = Object.fromEntries(results.map((r) => [r.name, r.median]));
const checks = [
  { what: 'nsrun vs node -e 0', value: by['nsrun'] / by['node -e 0'], target: 1.5 },
  { what: 'helper alone vs unshare(1)', value: by['helper alone'] / by['unshare(1)'], target: 1.0 },
];

console.log(`| command | median (ms) |`);
console.log(`| --- | ---: |`);
for (const r of results) console.log(`| \`${r.command.replace(root, '').replace(configFile, 'config.json')}\` | ${r.median.toFixed(2)} |`);
console.log('');
console.log(`| ratio | measured | target | met |`);
console.log(`| --- | ---: | ---: | --- |`);
for (const c of checks) console.log(`| ${c.what} | ${c.value.toFixed(2)}× | ≤ ${c.target}× | ${c.value <= c.target ? 'yes' : 'NO'} |`);
process.exitCode = checks.every((c) => c.value <= c.target) ? 0 : 1;
