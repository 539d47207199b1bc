/** Help text, laid out by yargs from an option table; loaded only when help is asked for. */
import yargs from 'yargs';
import type { OptionSpec } from './spec.js';

/** What one command's help shows. */
export interface HelpPage {
  /** The usage line, after `nsrun `. */
  readonly usage: string;
  /** What the command does, in a sentence or two. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** A command line and what it does. */
  readonly examples: readonly (readonly [string, string])[];
  /** Notes shown last. */
  readonly epilogue?: string;
  /** Other commands, listed with their one-line summary. */
  readonly commands?: readonly (readonly [string, string])[];
}

/** The text of a help page. */
export function helpText(page: HelpPage): Promise<string> {
  const cli = yargs([])
    .scriptName('nsrun')
    .usage(`$0 ${page.usage}\n\n${page.description}`)
    .help(false)
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 80));
  for (const [name, summary] of page.commands ?? []) cli.command(name, summary);
  for (const spec of page.options) {
    cli.option(spec.name, {
      alias: spec.alias,
      type: spec.type,
      describe: spec.description,
      choices: spec.choices,
      ...(spec.default === undefined ? {} : { default: spec.default }),
    });
  }
  for (const [command, description] of page.examples) cli.example(command, description);
  if (page.epilogue !== undefined) cli.epilogue(page.epilogue);
  return cli.getHelp();
}
