/** `nsrun completion [bash|zsh|fish]`: a shell completion script, written from the option tables. */
import { basename } from 'node:path';
import { invalidValue, usageError } from '../errors.js';
import { COMMANDS } from './commands.js';
import type { HelpPage } from './help.js';
import { parseOptions } from './parse.js';
import { HELP_OPTION, RUN_HELP, type Completion, type OptionSpec } from './spec.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const OPTIONS: readonly OptionSpec[] = [HELP_OPTION];

export const help: HelpPage = {
  usage: 'completion [bash|zsh|fish]',
  description:
    "Print a completion script for bash, zsh (a native _arguments function) or fish (by default the shell of $SHELL, else bash): it completes nsrun's " +
    'commands, options, the values of those that take a few (--flags and --cap-drop lists included), kept sandbox names (rm, exec --name) and process ids.',
  options: OPTIONS,
  operands: { words: SHELLS },
  examples: [
    ['source <(nsrun completion bash)', 'complete nsrun in this bash (add the line to ~/.bashrc to keep it)'],
    ['nsrun completion zsh > "${fpath[1]}/_nsrun"', 'for zsh, from the next shell on'],
    ['nsrun completion fish > ~/.config/fish/completions/nsrun.fish', 'for fish, from the next shell on'],
  ],
};

/** What a script knows of one command. */
interface CommandWords {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  readonly operands: Completion;
}

/** What an option's value completes to: what the table says, else its choices, else nothing. */
function valueOf(option: OptionSpec): Completion {
  return option.completes ?? (option.choices === undefined ? 'none' : { words: option.choices });
}

function valued(options: readonly OptionSpec[]): readonly OptionSpec[] {
  return options.filter((o) => o.type !== 'boolean');
}

/** An option's words: `--name`, and `-x` when it has an alias. */
function optionWords(option: OptionSpec): string[] {
  return [`--${option.name}`, ...(option.alias === undefined ? [] : [`-${option.alias}`])];
}

/** `text` in single quotes for bash and zsh. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** The bash code that fills COMPREPLY for `completion` of the word `$cur`. */
function bashReply(completion: Completion): string {
  if (typeof completion === 'object') {
    const words = quoted(completion.words.join(' '));
    // a comma list: complete the word after the last comma, keeping what comes before it
    if (completion.list === true) {
      return `local head=; [[ $cur == *,* ]] && head=\${cur%,*},; COMPREPLY=($(compgen -P "$head" -W ${words} -- "\${cur##*,}")); compopt -o nospace 2>/dev/null`;
    }
    return `COMPREPLY=($(compgen -W ${words} -- "$cur"))`;
  }
  switch (completion) {
    case 'sandbox':
      return 'COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" ps --quiet 2>/dev/null)" -- "$cur"))';
    case 'pid':
      return 'local pids=(/proc/[0-9]*); COMPREPLY=($(compgen -W "${pids[*]#/proc/}" -- "$cur"))';
    case 'directory':
      return 'COMPREPLY=($(compgen -d -- "$cur"))';
    case 'file':
      return 'COMPREPLY=($(compgen -f -- "$cur"))';
    case 'command':
      return 'COMPREPLY=($(compgen -c -- "$cur"))';
    case 'none':
      return 'COMPREPLY=()';
  }
}

/** The bash function and its `complete` line. */
function bashScript(commands: readonly CommandWords[]): string {
  const names = commands.map((c) => c.name);
  const branches = commands.map((c) =>
    [
      `    ${c.name})`,
      `      opts=${quoted(c.options.flatMap(optionWords).join(' '))}`,
      `      valued=${quoted(valued(c.options).flatMap(optionWords).join(' '))};;`,
    ].join('\n'),
  );
  const values = commands
    .filter((c) => valued(c.options).length > 0)
    .map((c) =>
      [
        `    ${c.name})`,
        '      case $prev in',
        ...valued(c.options).map((o) => `        ${optionWords(o).join('|')}) ${bashReply(valueOf(o))}; return;;`),
        '      esac;;',
      ].join('\n'),
    );
  // the first word after the options: the loop above has seen no operand before it
  const operands = commands.map((c) => `    ${c.name}) ${bashReply(c.operands)};;`);
  return `_nsrun() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local command=run i=1 word opts valued
  case \${COMP_WORDS[1]} in
    ${names.join('|')}) [[ $COMP_CWORD -gt 1 ]] && { command=\${COMP_WORDS[1]}; i=2; };;
  esac
  case $command in
${branches.join('\n')}
  esac
  # skip the options and their values: for run and exec, a word that is not an option starts the command
  while [[ $i -lt $COMP_CWORD ]]; do
    word=\${COMP_WORDS[i]}
    if [[ ( $command == run || $command == exec ) && ( $word == -- || $word != -* ) ]]; then
      [[ $word == -- ]] && i=$((i + 1))
      if [[ $i -eq $COMP_CWORD ]]; then COMPREPLY=($(compgen -c -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
      return
    fi
    [[ " $valued " == *" $word "* ]] && i=$((i + 1))
    i=$((i + 1))
  done
  [[ " $valued " == *" $prev "* ]] && case $command in
${values.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ $command == run ]]; then
    COMPREPLY=($( [[ $COMP_CWORD -eq 1 ]] && compgen -W ${quoted(names.filter((n) => n !== 'run').join(' '))} -- "$cur"; compgen -c -- "$cur"))
  else
    case $command in
${operands.join('\n')}
    esac
  fi
}
complete -F _nsrun nsrun
`;
}

/** `text` for the brackets of an _arguments spec, inside single quotes. */
function zshExplanation(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('[', '\\[').replaceAll(']', '\\]').replaceAll("'", "'\\''");
}

/** The _arguments action that completes `completion`. */
function zshAction(completion: Completion): string {
  if (typeof completion === 'object') {
    const words = completion.words.join(' ');
    return completion.list === true ? `_sequence compadd - ${words}` : `(${words})`;
  }
  const actions: Readonly<Record<typeof completion, string>> = {
    sandbox: '_nsrun_sandboxes',
    pid: '_pids',
    directory: '_directories',
    file: '_files',
    command: '_command_names -e',
    none: ' ',
  };
  return actions[completion];
}

/** One option as _arguments specs: repeatable when it collects values, its two names excluding each other otherwise. */
function zshOption(option: OptionSpec): string {
  const takes = option.type !== 'boolean';
  const long = `--${option.name}${takes ? '=' : ''}`;
  const after = `[${zshExplanation(option.description)}]${takes ? `:${option.name}:${zshAction(valueOf(option))}` : ''}`;
  const repeat = option.type === 'array' ? '*' : '';
  if (option.alias === undefined) return `'${repeat}${long}${after}'`;
  const exclusion = option.type === 'array' ? '' : `(-${option.alias} --${option.name})`;
  return `'${exclusion}${repeat}'{-${option.alias}${takes ? '+' : ''},${long}}'${after}'`;
}

/** The _arguments spec of a command's operands. */
function zshOperands(operands: Completion): string[] {
  if (operands === 'none') return [];
  if (operands === 'command') return ["'(-)1: :_command_names -e'", "'*:: :_normal'"];
  return typeof operands === 'object' && operands.list !== true ? [`'1: :${zshAction(operands)}'`] : [`'*: :${zshAction(operands)}'`];
}

/**
 * The lines that complete the command after a `--` that ends the options as a command of its own
 * (_arguments -S would count the `--` among the command's words).
 */
function zshAfterDashes(options: readonly OptionSpec[]): string[] {
  return [
    `  local -a valued=(${valued(options).flatMap(optionWords).join(' ')})`,
    '  local i=2',
    '  while (( i < CURRENT )); do',
    '    case $words[i] in',
    '      (--) shift $i words; (( CURRENT -= i )); _normal; return;;',
    '      (-*) (( ${valued[(Ie)$words[i]]} )) && (( i++ ));;',
    '      (*) break;;',
    '    esac',
    '    (( i++ ))',
    '  done',
  ];
}

/** The native zsh completion function: one _arguments call per command, from the same tables. */
function zshScript(commands: readonly CommandWords[]): string {
  const functions = commands.map((c) =>
    [
      `_nsrun_command_${c.name}() {`,
      ...(c.operands === 'command' ? zshAfterDashes(c.options) : []),
      '  # options come first, as nsrun reads them: the first word that is not one ends them',
      "  _arguments -s -S -A '-*' : \\",
      ...[...c.options.map(zshOption), ...zshOperands(c.operands)].map((spec, i, all) => `    ${spec}${i === all.length - 1 ? '' : ' \\'}`),
      '}',
    ].join('\n'),
  );
  const others = commands.filter((c) => c.name !== 'run');
  return `#compdef nsrun
# zsh completion for nsrun, written from its option tables by nsrun completion zsh

# the kept sandboxes, as the nsrun being completed lists them
_nsrun_sandboxes() {
  local -a names
  names=(\${(f)"$(_call_program sandboxes \${(q)_nsrun_program} ps --quiet 2>/dev/null)"})
  _wanted sandboxes expl 'kept sandbox' compadd -a names
}

_nsrun_commands() {
  local -a commands
  commands=(
${others.map((c) => `    ${quoted(`${c.name}:${c.summary}`)}`).join('\n')}
  )
  _describe -t nsrun-commands 'nsrun command' commands
}

${functions.join('\n\n')}

_nsrun() {
  local _nsrun_program=$words[1]
  # a command's name in second place, with more words after it, names the command completed
  if (( CURRENT > 2 )); then
    case $words[2] in
      (${commands.map((c) => c.name).join('|')})
        local command=$words[2]
        shift words
        (( CURRENT-- ))
        curcontext="\${curcontext%:*:*}:nsrun-$command:"
        _nsrun_command_$command
        return;;
    esac
  fi
  if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then
    _alternative 'nsrun-commands:nsrun command:_nsrun_commands' 'commands:command:_command_names -e'
    return
  fi
  _nsrun_command_run
}

# autoloaded from $fpath, complete; sourced, register
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _nsrun "$@"
else
  compdef _nsrun nsrun
fi
`;
}

/** `text` in single quotes for fish. */
function fishQuoted(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The fish `complete` arguments that offer `completion`. */
function fishArguments(completion: Completion): string {
  if (typeof completion === 'object') {
    const words = completion.words.join(' ');
    return completion.list === true ? `-a '(__fish_append , ${words})'` : `-a ${fishQuoted(words)}`;
  }
  const arguments_: Readonly<Record<typeof completion, string>> = {
    sandbox: "-a '(__nsrun_sandboxes)'",
    pid: "-a '(__fish_complete_pids)'",
    directory: "-a '(__fish_complete_directories)'",
    file: '-F',
    command: "-a '(__fish_complete_command)'",
    none: '',
  };
  return arguments_[completion];
}

/** fish's completions: a function that tells where the word being completed is, and one `complete` line per option and operand. */
function fishScript(commands: readonly CommandWords[]): string {
  const names = commands.map((c) => c.name);
  const valuedBranches = commands
    .filter((c) => valued(c.options).length > 0)
    .map((c) => `        case ${c.name}\n            set valued ${valued(c.options).flatMap(optionWords).join(' ')}`);
  const lines = commands.flatMap((c) => [
    '',
    `# nsrun ${c.name}`,
    ...c.options.map((o) => {
      const names = `-l ${o.name}${o.alias === undefined ? '' : ` -s ${o.alias}`}`;
      // -x: a value and no file names, -r: a value, file names included
      const value = o.type === 'boolean' ? '' : valueOf(o) === 'file' ? ' -r -F' : ` -x ${fishArguments(valueOf(o))}`.trimEnd();
      return `complete -c nsrun -n '__nsrun_at ${c.name} options value' ${names}${value} -d ${fishQuoted(o.description)}`;
    }),
    ...(c.operands === 'none'
      ? []
      : c.operands === 'command'
        ? [
            `complete -c nsrun -n '__nsrun_at ${c.name} options operand' ${fishArguments('command')}`,
            `complete -c nsrun -n '__nsrun_at ${c.name} argument' -F`,
          ]
        : [`complete -c nsrun -n '__nsrun_at ${c.name} options operand argument' ${fishArguments(c.operands)}`]),
  ]);
  return `# fish completion for nsrun, written from its option tables by nsrun completion fish
complete -c nsrun -f

# the kept sandboxes, as the nsrun being completed lists them
function __nsrun_sandboxes
    set -l program (commandline -opc)[1]
    command $program ps --quiet 2>/dev/null
end

# whether the word being completed belongs to nsrun command $argv[1], in one of the places
# $argv[2..]: among its options, the value of one, its first operand (for run and exec the
# command) or a later one
function __nsrun_at
    set -l words (commandline -opc)
    set -e words[1]
    set -l command run
    if set -q words[1]; and contains -- $words[1] ${names.join(' ')}
        set command $words[1]
        set -e words[1]
    end
    test $command = $argv[1]; or return 1
    set -l valued
    switch $command
${valuedBranches.join('\n')}
    end
    set -l place options
    for word in $words
        switch $place
            case value
                set place options
            case options
                if test "$word" = --
                    set place operand
                else if string match -q -- '-?*' $word
                    contains -- $word $valued; and set place value
                else
                    set place argument
                end
            case operand
                set place argument
        end
    end
    contains -- $place $argv[2..-1]
end

# the commands, in place of the command run runs
${commands
  .filter((c) => c.name !== 'run')
  .map((c) => `complete -c nsrun -n 'test (count (commandline -opc)) -eq 1' -a ${c.name} -d ${fishQuoted(c.summary)}`)
  .join('\n')}
${lines.join('\n')}
`;
}

/** The commands as the scripts know them, run first. */
async function commandWords(): Promise<CommandWords[]> {
  const others = await Promise.all(
    COMMANDS.map(async (c): Promise<CommandWords> => {
      const page = (await c.load()).help;
      return { name: c.name, summary: c.summary, options: page.options, operands: page.operands ?? 'none' };
    }),
  );
  return [{ name: 'run', summary: RUN_HELP.description, options: RUN_HELP.options, operands: RUN_HELP.operands }, ...others];
}

/** The completion script for `shell`. */
export async function completionScript(shell: Shell): Promise<string> {
  const commands = await commandWords();
  switch (shell) {
    case 'bash':
      return `# bash completion for nsrun: source <(nsrun completion bash)\n${bashScript(commands)}`;
    case 'zsh':
      return zshScript(commands);
    case 'fish':
      return fishScript(commands);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const { positionals } = parseOptions(argv, OPTIONS, 'completion');
  if (positionals.length > 1) throw usageError(`nsrun completion takes one shell, got ${positionals.join(' ')}`);
  const fromEnv = SHELLS.find((s) => s === basename(process.env['SHELL'] ?? '')) ?? 'bash';
  const asked = positionals[0] ?? fromEnv;
  const shell = SHELLS.find((s) => s === asked);
  if (shell === undefined) throw invalidValue('shell', asked, `expected ${SHELLS.join(', ')}`);
  process.stdout.write(await completionScript(shell));
  return 0;
}
