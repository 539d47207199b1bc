/** Reads nsrun's command line onto NsrunOptions, with yargs-parser configured from the option table. */
import parser from 'yargs-parser';
import { usageError } from '../errors.js';
import { MAP_MODES } from '../idmaps.js';
import { PROPAGATIONS, validateChoice, type NsrunOptions } from '../options.js';
import { commandLineMounts } from './order.js';
import { RUN_OPTIONS, type OptionSpec } from './spec.js';
import { parseStatusFd } from './status.js';

/** What the command line asks for. */
export type CommandLine =
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  | {
      readonly action: 'run';
      readonly command: readonly string[];
      readonly options: NsrunOptions;
      readonly dryRun: boolean;
      /** Keep the namespaces under this name (`--name`). */
      readonly name?: string | undefined;
      /** The fd of `--status-fd`, if given. */
      readonly statusFd: number | undefined;
    };

/** The word that may name the (default) command: `nsrun run -- sh`. */
const RUN = 'run';

/** A command line read against an option table. */
export interface ParsedOptions {
  /** Each option given, by its long name. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The words that are not options, those after `--` included. */
  readonly positionals: readonly string[];
}

function parserOptions(specs: readonly OptionSpec[]): parser.Options {
  const switches = specs.filter((o) => o.type === 'boolean').map((o) => o.name);
  return {
    // Numbers stay strings, so a bad value reaches its validator as it was typed.
    string: specs.filter((o) => o.type === 'string' || o.type === 'number').map((o) => o.name),
    boolean: switches,
    // A switch takes no value, so `nsrun --init true` runs `true` rather than reading it as the switch's value.
    narg: Object.fromEntries([
      ...switches.map((name) => [name, 0]),
      ...specs.filter((o) => o.dashValue === true).map((o) => [o.name, 1]),
    ]),
    array: specs.filter((o) => o.type === 'array').map((o) => o.name),
    alias: Object.fromEntries(specs.flatMap((o) => (o.alias === undefined ? [] : [[o.name, o.alias]]))),
    configuration: {
      // The first word that is not an option starts the command; what follows is the command's.
      'halt-at-non-option': true,
      'populate--': true,
      // An unknown option is kept whole, so the error names it as typed and it swallows no word.
      'unknown-options-as-args': true,
      'boolean-negation': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'greedy-arrays': false,
      'strip-aliased': true,
    },
  };
}

/**
 * Reads argv against an option table (options first, then the words of a command);
 * throws a usage error naming an unknown option or a value given to a switch.
 */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[]): ParsedOptions {
  const { argv: args, error } = parser.detailed([...argv], parserOptions(specs));
  if (error !== null) {
    // The errors this configuration yields: a value given to a switch (`--init=false`), or none
    // to an option whose value may start with a dash (`--status-fd` last).
    const option = /: (\S+)$/.exec(error.message)?.[1];
    const missing = error.message.startsWith('Not enough arguments');
    throw usageError(
      option === undefined
        ? `${error.message} (see nsrun --help)`
        : `--${option} ${missing ? 'needs a value' : 'takes no value'} (see nsrun --help)`,
    );
  }
  // The keys a parse may yield: the options, their aliases, the words before and after `--`.
  const known = new Set(['_', '--', ...specs.flatMap((o) => (o.alias === undefined ? [o.name] : [o.name, o.alias]))]);
  const unknown = [
    ...args._.map(String).filter((word) => word.startsWith('-') && word !== '-'),
    ...Object.keys(args).filter((key) => !known.has(key)).map((key) => (key.length === 1 ? `-${key}` : `--${key}`)),
  ];
  if (unknown[0] !== undefined) throw usageError(`unknown option ${unknown[0]} (see nsrun --help)`);
  const { _: words, '--': rest, ...values } = args;
  return { values, positionals: [...words, ...(rest ?? [])].map(String) };
}

/** The last value of a string option (a repeated one keeps its last value). */
export function lastString(value: unknown): string | undefined {
  const last: unknown = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined ? undefined : String(last);
}

/** Every value of a repeatable option. */
export function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

/** Whether a switch was given. */
export function flag(value: unknown): boolean {
  return value === true;
}

/** Reads `nsrun [run] [options] [--] command [args...]`; throws a usage error for an unknown option or no command. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  if (argv.length === 0) return { action: 'help' };
  const words = argv[0] === RUN ? argv.slice(1) : argv;
  const { values: args, positionals } = parseOptions(words, RUN_OPTIONS);
  const [first, ...rest] = positionals;
  if (flag(args['help'])) return { action: 'help' };
  if (flag(args['version'])) return { action: 'version' };
  if (first === undefined) throw usageError('no command given (see nsrun --help)');
  const map = lastString(args['map']);
  const propagation = lastString(args['propagation']);
  const statusFd = lastString(args['status-fd']);
  return {
    action: 'run',
    command: [first, ...rest],
    dryRun: flag(args['dry-run']),
    name: lastString(args['name']),
    statusFd: statusFd === undefined ? undefined : parseStatusFd(statusFd),
    options: {
      flags: lastString(args['flags']),
      map: map === undefined ? undefined : validateChoice('--map', map, MAP_MODES),
      uidMap: strings(args['uid-map']),
      gidMap: strings(args['gid-map']),
      uid: lastString(args['uid']),
      gid: lastString(args['gid']),
      propagation: propagation === undefined ? undefined : validateChoice('--propagation', propagation, PROPAGATIONS),
      proc: !flag(args['no-proc']),
      hostname: lastString(args['hostname']),
      domainname: lastString(args['domainname']),
      timeOffset: lastString(args['time-offset']),
      cwd: lastString(args['cwd']),
      env: strings(args['env']),
      clearEnv: flag(args['clear-env']),
      init: flag(args['init']),
      preserveFds: lastString(args['preserve-fds']),
      stopTimeout: lastString(args['stop-timeout']),
      allowNewPrivs: flag(args['allow-new-privs']),
      capDrop: strings(args['cap-drop']),
      capAdd: strings(args['cap-add']),
      rootfs: lastString(args['rootfs']),
      readOnly: flag(args['read-only']),
      mounts: commandLineMounts(words, RUN_OPTIONS, args),
    },
  };
}
