/** Help text, laid out by yargs from an option table; loaded only when help is asked for. */
import yargs from 'yargs';
import type { Completion, OptionSpec } from './spec.js';

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
  /** The environment variables it reads, with what each does. */
  readonly environment?: readonly (readonly [string, string])[];
  /** What the words after its options complete to; by default nothing (it takes none). */
  readonly operands?: Completion;
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
  const width = Math.max(0, ...(page.environment ?? []).map(([name]) => name.length));
  const environment = (page.environment ?? []).map(([name, what]) => `  ${name.padEnd(width)}  ${what}`);
  const epilogue = [...(page.epilogue === undefined ? [] : [page.epilogue]), ...(environment.length === 0 ? [] : [['Environment:', ...environment].join('\n')])];
  if (epilogue.length > 0) cli.epilogue(epilogue.join('\n\n'));
  return cli.getHelp();
}
