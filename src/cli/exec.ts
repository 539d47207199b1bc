/** `nsrun exec`: run a command in the namespaces of a running process or a kept sandbox. */
import { usageError } from '../errors.js';
import { handOver } from '../handover.js';
import { joinConfig, validatePid, type JoinLimits } from '../join.js';
import { findSandbox } from '../keep.js';
import { sortNamespaces, type NamespaceName } from '../namespaces.js';
import type { HelpPage } from './help.js';
import { flag, lastString, parseOptions, strings } from './parse.js';
import { CAPABILITY_LIST, FLAG_LIST, HELP_OPTION, RUN_OPTIONS, type OptionSpec } from './spec.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'target', alias: 't', type: 'number', description: 'the process whose namespaces the command enters', completes: 'pid' },
  { name: 'name', alias: 'n', type: 'string', description: 'the kept sandbox whose namespaces the command enters', completes: 'sandbox' },
  { name: 'flags', type: 'string', description: 'the namespaces to enter, comma-separated (default: every one that differs from nsrun\'s)', completes: FLAG_LIST },
  { name: 'cwd', type: 'string', description: "the working directory, inside the target's mount namespace (default: the target's)", completes: 'directory' },
  { name: 'env', type: 'array', description: 'set KEY=VALUE in the environment of the command (repeatable)' },
  { name: 'clear-env', type: 'boolean', description: 'start from an empty environment instead of yours' },
  { name: 'cap-drop', type: 'array', description: 'drop capabilities the command would keep, e.g. NET_RAW,SYS_ADMIN or all (repeatable)', completes: CAPABILITY_LIST },
  { name: 'cap-add', type: 'array', description: 'keep capabilities after --cap-drop: only those the command would keep anyway (repeatable)', completes: CAPABILITY_LIST },
  HELP_OPTION,
];

/** Why exec refuses each option of nsrun run it has not got: a sandbox is joined as it was made. */
const SET_UP = 'it sets a sandbox up, and exec joins one as it was made';
const HELD = "the command is held to the sandbox's own (see nsrun exec --help)";
const REFUSED: Readonly<Record<string, string>> = {
  map: SET_UP, 'uid-map': SET_UP, 'gid-map': SET_UP, propagation: SET_UP, 'no-proc': SET_UP, hostname: SET_UP,
  domainname: SET_UP, 'time-offset': SET_UP, rootfs: SET_UP, bind: SET_UP, 'ro-bind': SET_UP, tmpfs: SET_UP, dev: SET_UP,
  'read-only': SET_UP, network: SET_UP, publish: SET_UP, 'host-loopback': SET_UP, uid: HELD, gid: HELD, 'allow-new-privs': HELD,
  init: "the sandbox's PID 1 is there already",
  'preserve-fds': 'exec passes no file descriptor but 0, 1 and 2',
  'stop-timeout': 'a signal reaches the command at once, as nsenter passes it on',
  'status-fd': 'exec reports the exit status only',
  'dry-run': 'exec has nothing to print but the command',
  version: 'see nsrun --version',
};

export const help: HelpPage = {
  usage: 'exec --target PID | --name NAME [options] [--] command [args...]',
  description:
    'Run a command inside the namespaces of a running process (as nsenter does) or of a sandbox kept with nsrun run --name. ' +
    "Entering its mount namespace enters its root and working directory; entering its user namespace takes its uid and gid there. " +
    "A command in a kept sandbox is held to the sandbox's limits (its --uid, --gid, --cap-drop, --cap-add and no_new_privs); " +
    "one that joins a process keeps the capabilities it gets there, as with nsenter. --cap-drop and --cap-add only narrow them.",
  options: OPTIONS,
  operands: 'command',
  examples: [
    ['nsrun exec --target 4242 -- hostname', "the hostname of process 4242's UTS namespace"],
    ['nsrun exec --name box -- sh', 'a shell in the kept sandbox box'],
    ['nsrun exec --target 4242 --flags net -- ip addr', "only its network namespace: the host's files, its interfaces"],
  ],
  epilogue:
    "Exit status: the command's; 128+n when it died of signal n; 2 for a usage error; 125 when the namespaces cannot be " +
    'entered (no such process, permission denied); 126 when the command cannot be executed; 127 when it is not found.',
};

/** The pid to join, the namespaces to enter and the limits: a process's, or a kept sandbox's holder, the namespaces it keeps and its recorded limits. */
function target(values: Readonly<Record<string, unknown>>): {
  pid: number;
  flags: string | readonly NamespaceName[] | undefined;
  held: JoinLimits | undefined;
} {
  const pid = lastString(values['target']);
  const name = lastString(values['name']);
  const flags = lastString(values['flags']);
  if ((pid === undefined) === (name === undefined)) throw usageError('exec needs one of --target PID and --name NAME (see nsrun exec --help)');
  if (pid !== undefined) return { pid: validatePid('--target', pid), flags, held: undefined };
  const sandbox = findSandbox(name ?? '');
  return {
    pid: sandbox.holder,
    flags: flags ?? sortNamespaces(Object.keys(sandbox.namespaces) as NamespaceName[]),
    held: { limits: sandbox.limits ?? { 'no-new-privs': true }, where: `sandbox '${sandbox.name}'` },
  };
}

/** The options of nsrun run that exec has not got, read so that the refusal says why. */
const REFUSED_OPTIONS = RUN_OPTIONS.filter((o) => o.name in REFUSED);

export async function main(argv: readonly string[]): Promise<number> {
  const { values, given, positionals } = parseOptions(argv, [...OPTIONS, ...REFUSED_OPTIONS], 'exec');
  const refused = given.find((o) => o.name in REFUSED);
  if (refused !== undefined) throw usageError(`exec cannot take --${refused.name}: ${String(REFUSED[refused.name])}`);
  const { pid, flags, held } = target(values);
  if (positionals.length === 0) throw usageError('no command given (see nsrun exec --help)');
  const options = {
    flags,
    cwd: lastString(values['cwd']),
    env: strings(values['env']),
    clearEnv: flag(values['clear-env']),
    capDrop: strings(values['cap-drop']),
    capAdd: strings(values['cap-add']),
  };
  const config = joinConfig(pid, positionals, options, undefined, held);
  handOver(config);
  const { runHelper } = await import('../helper.js');
  return (await runHelper(config)).exitCode;
}
