/** `nsrun help [command]`: the help of nsrun or of one of its commands, as `nsrun [command] --help` shows it. */
import { usageError } from '../errors.js';
import { COMMANDS } from './commands.js';
import { helpText, type HelpPage } from './help.js';
import { parseOptions } from './parse.js';
import { HELP_OPTION, RUN_HELP } from './spec.js';

export const help: HelpPage = {
  usage: 'help [command]',
  description: 'Show the help of nsrun, or of one of its commands (run, exec, ps and the others), and exit 0. nsrun -- help runs a program named help.',
  options: [HELP_OPTION],
  operands: { words: ['run', ...COMMANDS.map((c) => c.name)] },
  examples: [
    ['nsrun help', 'the options of nsrun run and the list of commands'],
    ['nsrun help exec', 'the same as nsrun exec --help'],
  ],
};

/** The help page of `nsrun [run]`, with the list of the other commands. */
export function mainPage(): HelpPage {
  return { ...RUN_HELP, commands: COMMANDS.map((c) => [c.name, c.summary] as const) };
}

/** The help page of `name`, the word after `nsrun help`. */
async function pageOf(name: string | undefined): Promise<HelpPage> {
  if (name === undefined || name === 'run') return mainPage();
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw usageError(`no command named '${name}'`, `nsrun --help lists them; nsrun -- ${name} runs a program named ${name}`);
  return (await command.load()).help;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { positionals } = parseOptions(argv, help.options, 'help');
  if (positionals.length > 1) throw usageError(`help takes one command, got ${positionals.join(' ')}`);
  process.stdout.write(`${helpText(await pageOf(positionals[0]))}\n`);
  return 0;
}
