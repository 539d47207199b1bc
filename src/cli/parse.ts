/** Reads nsrun's command line onto NsrunOptions, against the option table. */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { usageError, type NsrunError } from '../errors.js';
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

/** One option as the command line gives it: its long name, and its value unless it is a switch. */
export interface GivenOption {
  readonly name: string;
  readonly value?: string;
}

/** A command line read against an option table. */
export interface ParsedOptions {
  /** Each option given, by its long name: true for a switch, the value, or every value of a repeatable option. */
  readonly values: Readonly<Record<string, true | string | readonly string[]>>;
  /** The options in the order given, which `values` loses across options. */
  readonly given: readonly GivenOption[];
  /** The words that are not options, those after `--` included. */
  readonly positionals: readonly string[];
}

/** Whether `name` is a program in one of the directories of $PATH. */
function onPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return statSync(join(dir, name)).isFile();
    } catch {
      return false;
    }
  });
}

/** `word` as a shell reads it back: bare when it holds nothing the shell would act on, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The error of an unknown option `word` of `command`; when the command's name is also a program
 * (`nsrun ps -ef`, `nsrun rm -rf x`), the hint tells how to run the program, as the user likely meant.
 */
function unknownOption(word: string, command: string, argv: readonly string[]): NsrunError {
  if (command !== RUN && onPath(command)) {
    const line = ['nsrun', '--', command, ...argv].map(shellWord).join(' ');
    return usageError(`unknown option ${word} of nsrun ${command}`, `to run the program ${command}, type ${line}`);
  }
  return usageError(`unknown option ${word} (see nsrun ${command === RUN ? '' : `${command} `}--help)`);
}

/**
 * Reads argv against an option table as getopt_long(3) does with `+`: options come first, and the
 * first word that is not one, or the word after `--`, starts the command, whose words are its own.
 * A long option takes its value as `--name=value` or from the next word, whatever that word
 * looks like; a short one as `-x value` or `-xvalue`, and short switches group (`-hV`). Throws a
 * usage error naming an unknown option, a switch given a value, or an option missing its value;
 * `command` names the nsrun command whose options these are, for that error.
 */
export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], command: string = RUN): ParsedOptions {
  const values: Record<string, true | string | string[]> = {};
  const given: GivenOption[] = [];
  const take = (spec: OptionSpec, value?: string): void => {
    given.push(value === undefined ? { name: spec.name } : { name: spec.name, value });
    const before = values[spec.name];
    if (value === undefined) values[spec.name] = true;
    else if (spec.type !== 'array') values[spec.name] = value;
    else if (Array.isArray(before)) before.push(value); // in place: a copy per value made 40 000 --env quadratic
    else values[spec.name] = [value];
  };
  let i = 0;
  /** The value of `spec`: `attached`, else the next word, else (none, `--` or an option next) the value it implies. */
  const valueOf = (spec: OptionSpec, attached: string | undefined): string => {
    if (attached !== undefined) return attached;
    const following = argv[i + 1];
    if (spec.implied !== undefined && (following === undefined || (following.startsWith('-') && following !== '-'))) return spec.implied;
    const next = argv[++i];
    if (next === undefined) throw usageError(`--${spec.name} needs a value (see nsrun --help)`);
    return next;
  };
  for (; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const equals = word.indexOf('=');
      const name = word.slice(2, equals === -1 ? undefined : equals);
      const attached = equals === -1 ? undefined : word.slice(equals + 1);
      const spec = specs.find((o) => o.name === name);
      if (spec === undefined) throw unknownOption(word, command, argv);
      if (spec.type === 'boolean' && attached !== undefined) throw usageError(`--${name} takes no value (see nsrun --help)`);
      take(spec, spec.type === 'boolean' ? undefined : valueOf(spec, attached));
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const spec = specs.find((o) => o.alias === word[j]);
      if (spec === undefined) throw unknownOption(j === 1 ? word : `-${word[j]}`, command, argv);
      if (spec.type === 'boolean') {
        take(spec);
        continue;
      }
      take(spec, valueOf(spec, j + 1 < word.length ? word.slice(j + 1) : undefined));
      break;
    }
  }
  return { values, given, positionals: argv.slice(i) };
}

/** The value of a string option (a repeated one keeps its last value). */
export function lastString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
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
  const { values: args, given, positionals } = parseOptions(words, RUN_OPTIONS);
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
      mounts: commandLineMounts(given),
      network: lastString(args['network']),
      publish: strings(args['publish']),
      hostLoopback: flag(args['host-loopback']),
    },
  };
}
