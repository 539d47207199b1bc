/** `nsrun completion [bash|zsh]`: a shell completion script, written from the option tables. */
import { basename } from 'node:path';
import { invalidValue, usageError } from '../errors.js';
import { NAMESPACES } from '../namespaces.js';
import { COMMANDS } from './commands.js';
import type { HelpPage } from './help.js';
import { parseOptions } from './parse.js';
import { RUN_OPTIONS, type OptionSpec } from './spec.js';

const SHELLS = ['bash', 'zsh'] as const;
type Shell = (typeof SHELLS)[number];

const OPTIONS: readonly OptionSpec[] = [{ name: 'help', alias: 'h', type: 'boolean', description: 'show this help' }];

export const help: HelpPage = {
  usage: 'completion [bash|zsh]',
  description: "Print a completion script for bash or zsh (by default the shell of $SHELL, else bash): it completes nsrun's commands, options and their values.",
  options: OPTIONS,
  operands: { words: SHELLS },
  examples: [
    ['source <(nsrun completion bash)', 'complete nsrun in this bash (add the line to ~/.bashrc to keep it)'],
    ['nsrun completion bash > /etc/bash_completion.d/nsrun', 'for every bash user'],
    ['nsrun completion zsh > "${fpath[1]}/_nsrun"', 'for zsh, from the next shell on'],
  ],
};

/** What the script knows of one command. */
interface CommandWords {
  readonly name: string;
  readonly options: readonly OptionSpec[];
  /** Words its non-option arguments complete to; undefined: file names. */
  readonly positionals?: readonly string[];
}

/** A shell word list, quoted for single quotes (option names and values hold no quote). */
function words(list: readonly string[]): string {
  return `'${list.join(' ')}'`;
}

function optionWords(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [`--${o.name}`, ...(o.alias === undefined ? [] : [`-${o.alias}`])]);
}

/** The `case` branches that complete an option's value after it. */
function valueBranches(options: readonly OptionSpec[]): string[] {
  const flagWords = [...NAMESPACES.flatMap((k) => k.words), 'all'];
  const valued = options.filter((o) => o.type !== 'boolean');
  const free = valued.filter((o) => o.name !== 'flags' && o.name !== 'cwd' && o.choices === undefined).map((o) => `--${o.name}`);
  const special = valued.flatMap((o) => {
    if (o.name === 'flags') {
      // a comma list: complete the word after the last comma, keeping what comes before it
      return [
        `      --flags) local head=; [[ $cur == *,* ]] && head=\${cur%,*},`,
        `        COMPREPLY=($(compgen -P "$head" -W ${words(flagWords)} -- "\${cur##*,}")); compopt -o nospace 2>/dev/null; return;;`,
      ];
    }
    if (o.choices !== undefined) return [`      --${o.name}) COMPREPLY=($(compgen -W ${words(o.choices)} -- "$cur")); return;;`];
    if (o.name === 'cwd') return [`      --cwd) COMPREPLY=($(compgen -d -- "$cur")); return;;`];
    return [];
  });
  // a value nothing can guess (a name, a number, a map line): complete nothing
  return [...special, ...(free.length === 0 ? [] : [`      ${free.join('|')}) COMPREPLY=(); return;;`])];
}

/** The bash function; zsh runs it through bashcompinit. */
function bashScript(commands: readonly CommandWords[]): string {
  const names = commands.map((c) => c.name);
  const branches = commands.map((c) =>
    [
      `    ${c.name})`,
      `      opts=${words(optionWords(c.options))}`,
      `      valued=${words(c.options.filter((o) => o.type !== 'boolean').map((o) => `--${o.name}`))}`,
      `      positionals=${c.positionals === undefined ? "''" : words(c.positionals)};;`,
    ].join('\n'),
  );
  const values = commands
    .filter((c) => c.options.some((o) => o.type !== 'boolean'))
    .map((c) => [`    ${c.name})`, '      case $prev in', ...valueBranches(c.options), '      esac;;'].join('\n'));
  return `_nsrun() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local command=run i=1 word opts valued positionals
  case \${COMP_WORDS[1]} in
    ${names.join('|')}) [[ $COMP_CWORD -gt 1 ]] && { command=\${COMP_WORDS[1]}; i=2; };;
  esac
  case $command in
${branches.join('\n')}
  esac
  # skip the options and their values: a word that is not an option starts the command (run)
  while [[ $i -lt $COMP_CWORD ]]; do
    word=\${COMP_WORDS[i]}
    if [[ $command == run && ( $word == -- || $word != -* ) ]]; then
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
    COMPREPLY=($( [[ $COMP_CWORD -eq 1 ]] && compgen -W ${words(names.filter((n) => n !== 'run'))} -- "$cur"; compgen -c -- "$cur"))
  elif [[ -n $positionals ]]; then
    COMPREPLY=($(compgen -W "$positionals" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _nsrun nsrun
`;
}

/** The completion script for `shell`. */
export async function completionScript(shell: Shell): Promise<string> {
  const others = await Promise.all(
    COMMANDS.map(async (c): Promise<CommandWords> => ({
      name: c.name,
      options: (await c.load()).help.options,
      ...(c.name === 'completion' ? { positionals: SHELLS } : {}),
    })),
  );
  const script = bashScript([{ name: 'run', options: RUN_OPTIONS }, ...others]);
  return shell === 'bash'
    ? `# bash completion for nsrun: source <(nsrun completion bash)\n${script}`
    : `#compdef nsrun\n# zsh completion for nsrun, through zsh's bash completion emulation\nautoload -U +X bashcompinit && bashcompinit\n${script}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { positionals } = parseOptions(argv, OPTIONS, 'completion');
  if (positionals.length > 1) throw usageError(`nsrun completion takes one shell, got ${positionals.join(' ')}`);
  const fromEnv = basename(process.env['SHELL'] ?? '') === 'zsh' ? 'zsh' : 'bash';
  const asked = positionals[0] ?? fromEnv;
  const shell = SHELLS.find((s) => s === asked);
  if (shell === undefined) throw invalidValue('shell', asked, `expected ${SHELLS.join(' or ')}`);
  process.stdout.write(await completionScript(shell));
  return 0;
}
