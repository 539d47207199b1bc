/** `nsrun exec`: run a command in the namespaces of a running process or a kept sandbox. */
import { usageError } from '../errors.js';
import { runHelper } from '../helper.js';
import { joinConfig, validatePid } from '../join.js';
import { findSandbox } from '../keep.js';
import { sortNamespaces, type NamespaceName } from '../namespaces.js';
import type { HelpPage } from './help.js';
import { lastString, parseOptions, strings } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'target', alias: 't', type: 'number', description: 'the process whose namespaces the command enters' },
  { name: 'name', alias: 'n', type: 'string', description: 'the kept sandbox whose namespaces the command enters' },
  { name: 'flags', type: 'string', description: 'the namespaces to enter, comma-separated (default: every one that differs from nsrun\'s)' },
  { name: 'cwd', type: 'string', description: "the working directory, inside the target's mount namespace (default: the target's)" },
  { name: 'env', type: 'array', description: 'set KEY=VALUE in the environment of the command (repeatable)' },
  HELP_OPTION,
];

export const help: HelpPage = {
  usage: 'exec --target PID | --name NAME [options] [--] command [args...]',
  description:
    'Run a command inside the namespaces of a running process (as nsenter does) or of a sandbox kept with nsrun run --name. ' +
    "Entering its mount namespace enters its root and working directory; entering its user namespace takes its uid and gid there.",
  options: OPTIONS,
  examples: [
    ['nsrun exec --target 4242 -- hostname', "the hostname of process 4242's UTS namespace"],
    ['nsrun exec --name box -- sh', 'a shell in the kept sandbox box'],
    ['nsrun exec --target 4242 --flags net -- ip addr', "only its network namespace: the host's files, its interfaces"],
  ],
  epilogue:
    "Exit status: the command's; 128+n when it died of signal n; 2 for a usage error; 125 when the namespaces cannot be " +
    'entered (no such process, permission denied); 126 when the command cannot be executed; 127 when it is not found.',
};

/** The pid to join and the namespaces to enter: a process's, or a kept sandbox's holder and the namespaces it keeps. */
function target(values: Readonly<Record<string, unknown>>): { pid: number; flags: string | readonly NamespaceName[] | undefined } {
  const pid = lastString(values['target']);
  const name = lastString(values['name']);
  const flags = lastString(values['flags']);
  if ((pid === undefined) === (name === undefined)) throw usageError('exec needs one of --target PID and --name NAME (see nsrun exec --help)');
  if (pid !== undefined) return { pid: validatePid('--target', pid), flags };
  const sandbox = findSandbox(name ?? '');
  return { pid: sandbox.holder, flags: flags ?? sortNamespaces(Object.keys(sandbox.namespaces) as NamespaceName[]) };
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS);
  const { pid, flags } = target(values);
  if (positionals.length === 0) throw usageError('no command given (see nsrun exec --help)');
  const config = joinConfig(pid, positionals, { flags, cwd: lastString(values['cwd']), env: strings(values['env']) });
  return (await runHelper(config)).exitCode;
}
