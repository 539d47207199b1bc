// A property test over random combinations of options, valid and invalid, through the command line and the
// API, as root and unprivileged. For any combination: the exit code is the command's, 2 (usage) or 125
// (setup), and 2 whenever an invalid value is among them; an error is one line of nsrun's, never a stack
// trace; the host's mounts, hostname and domain name are as they were, and no process of a case is left.
// The seed is random unless PROPERTY_SEED gives it; every failure names it and the case.
import { describe, expect, it } from 'vitest';
import type { ApiOutcome } from './property/api-runner.js';
import { apiCase, cliCase, picker, prng, type ApiCase, type CliCase } from './property/generate.js';
import { hostNames, identities, inOwnMounts, mountChanges, nsrunInOwnMounts, processesWith, root } from './harness.js';

const CLI_CASES = 150;
const API_CASES = 150;
/** Command lines run at once: enough to keep the test short, few enough for a busy machine. */
const AT_ONCE = 3;

const seed = process.env['PROPERTY_SEED'] === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(process.env['PROPERTY_SEED']);
const marker = `nsrun-property-${process.pid}-${seed}`;

/** What a case must end with: exactly 2 when one value is invalid, else the command's status, 2 or 125. */
function allowed(generated: { invalid: boolean; status: number }): number[] {
  return generated.invalid ? [2] : [generated.status, 2, 125];
}

/** What is wrong with nsrun's stderr after a run that ended with `exitCode`, if anything. */
function stderrProblem(exitCode: number | undefined, stderr: string): string | undefined {
  if (/\n\s+at |internal error|Error:/.test(stderr)) return 'a stack trace or an internal error';
  if (exitCode === 2 || exitCode === 125) return /^nsrun: [^\n]+\n?$/.test(stderr) ? undefined : 'not one line of nsrun';
  return stderr === '' ? undefined : 'output of its own';
}

describe('random combinations of options', () => {
  it(`on the command line: ${CLI_CASES} cases (seed printed on failure)`, async () => {
    const pick = picker(prng(seed));
    const cases: CliCase[] = Array.from({ length: CLI_CASES }, (_, i) => cliCase(pick, `${marker}-cli-${i}`));
    const before = hostNames();
    const failures: string[] = [];
    for (let first = 0; first < cases.length; first += AT_ONCE) {
      await Promise.all(
        cases.slice(first, first + AT_ONCE).map(async (generated, offset) => {
          const index = first + offset;
          const who = identities[index % identities.length] ?? identities[0];
          if (who === undefined) return;
          const r = await nsrunInOwnMounts(generated.args, who);
          const problem = !allowed(generated).includes(r.exitCode ?? -1)
            ? `exit code ${r.exitCode}`
            : mountChanges(r).length > 0
              ? `mounts changed: ${mountChanges(r).join('; ')}`
              : stderrProblem(r.exitCode, r.stderr);
          if (problem !== undefined) failures.push(`seed ${seed} case ${index} as ${who.name}: ${problem}: ${JSON.stringify(generated.args)} -> ${JSON.stringify(r.stderr)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    expect(hostNames(), `seed ${seed}`).toEqual(before);
    expect(processesWith(`${marker}-cli-`), `seed ${seed}`).toEqual([]);
  }, 240_000); // about 50 s on a busy 2-core machine; the suite runs other files meanwhile

  it(`through the API: ${API_CASES} cases (seed printed on failure)`, async () => {
    const before = hostNames();
    const failures: string[] = [];
    const share = Math.ceil(API_CASES / identities.length);
    // one runner per identity, each its share of the cases: the same sequence, so a case is known by its index
    await Promise.all(
      identities.map(async (who, n) => {
        const runner = [...who.prefix, process.execPath, '--import', 'tsx', `${root}test/e2e/property/api-runner.ts`];
        const r = await inOwnMounts([...runner, String(seed), String(n * share), String(share), `${marker}-api`], { cwd: root, timeout: 180_000 });
        if (r.exitCode !== 0 || r.stderr !== '') failures.push(`seed ${seed} as ${who.name}: the runner exited ${r.exitCode}: ${r.stderr}`);
        if (mountChanges(r).length > 0) failures.push(`seed ${seed} as ${who.name}: the mounts changed: ${mountChanges(r).join('; ')}`);
        const pick = picker(prng(seed));
        const cases: ApiCase[] = Array.from({ length: API_CASES }, () => apiCase(pick));
        for (const line of r.stdout.split('\n').filter(Boolean)) {
          const seen = JSON.parse(line) as ApiOutcome;
          const generated = cases[seen.index];
          if (generated === undefined) continue;
          const problems = [
            !allowed(generated).includes(seen.exitCode ?? -1) ? `exit code ${seen.exitCode}` : undefined,
            seen.exitCode !== generated.status && !seen.nsrunError ? `not an NsrunError (${seen.name})` : undefined,
            generated.invalid && seen.step !== 'usage' ? `step ${seen.step}` : undefined,
            seen.message?.includes('\n') === true ? 'a message of several lines' : undefined,
            seen.message !== undefined && /(^|\s)--[a-z]/.test(seen.message) && seen.step === 'usage' ? 'an option named as the command line names it' : undefined,
          ].filter((p) => p !== undefined);
          if (problems.length > 0) failures.push(`seed ${seed} case ${seen.index} as ${who.name}: ${problems.join(', ')}: ${JSON.stringify(generated.options)} -> ${seen.message}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(hostNames(), `seed ${seed}`).toEqual(before);
    expect(processesWith(`${marker}-api-`), `seed ${seed}`).toEqual([]);
  }, 240_000); // about 5 s on a busy 2-core machine; the suite runs other files meanwhile
});
