/** `nsrun doctor [--json]`: the checklist of src/doctor.ts, for people or as JSON. */
import { doctor, type DoctorCheck, type DoctorReport } from '../doctor.js';
import { EXIT } from '../errors.js';
import type { HelpPage } from './help.js';
import { flag, parseOptions } from './parse.js';
import type { OptionSpec } from './spec.js';
import { styleFor, type Style } from './style.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the whole report as one JSON document' },
  { name: 'help', alias: 'h', type: 'boolean', description: 'show this help' },
];

export const help: HelpPage = {
  usage: 'doctor [--json]',
  description:
    'Tell what this machine allows: each namespace type is created in a throwaway sandbox, ' +
    'and the user namespace limits, newuidmap/newgidmap, /etc/subuid, cgroups, the helper and the kernel are checked. ' +
    'Each problem comes with its fix.',
  options: OPTIONS,
  examples: [
    ['nsrun doctor', 'the checklist: one line per check, and the fix of each problem'],
    ['nsrun doctor --json', 'the same as JSON, for scripts'],
    ["nsrun doctor --json | jq '.namespaces.user'", 'whether this user may create a user namespace'],
  ],
  epilogue: 'Exit status: 0 when what the default nsrun run needs works here, 125 when it does not, 2 for a usage error.',
};

function statusWord(check: DoctorCheck, style: Style): string {
  const word = check.status.padEnd(8);
  return check.status === 'ok' ? style.good(word) : check.status === 'warning' ? style.warn(word) : style.bad(word);
}

/** The checklist as aligned lines, with a `fix:` line under each warning or problem. */
export function formatReport(report: DoctorReport, style: Style): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.flatMap((check) => [
    `${statusWord(check, style)} ${check.name.padEnd(width)}  ${check.detail}`,
    ...(check.fix === undefined ? [] : [`${' '.repeat(9 + width + 2)}${style.faint('fix:')} ${check.fix}`]),
  ]);
  const verdict = report.ok
    ? style.good('nsrun run works here.')
    : style.bad('nsrun run without --flags cannot work here; see the problems above.');
  return `${lines.join('\n')}\n\n${verdict}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, 'doctor');
  if (positionals.length > 0) {
    const { usageError } = await import('../errors.js');
    throw usageError(`nsrun doctor takes no arguments, got '${positionals[0]}' (see nsrun doctor --help)`);
  }
  const report = await doctor();
  process.stdout.write(flag(values['json']) ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, styleFor(process.stdout)));
  return report.ok ? 0 : EXIT.setup;
}
