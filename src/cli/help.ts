/** The help text, laid out by yargs from the option table; loaded only when help is asked for. */
import yargs from 'yargs';
import { EXAMPLES, RUN_OPTIONS } from './spec.js';

/** The text `nsrun --help` prints. */
export function helpText(): Promise<string> {
  const cli = yargs([])
    .scriptName('nsrun')
    .usage('$0 [run] [options] [--] command [args...]\n\nRun a command in new Linux namespaces.')
    .help(false)
    .version(false)
    .epilogue(
      'Without root, user is added to the namespaces: creating the others needs CAP_SYS_ADMIN.\n' +
        'Exit status: the command\'s; 128+n when it died of signal n; 2 for a usage error; ' +
        '125 when the sandbox could not be set up; 126 when the command cannot be executed; 127 when it is not found.',
    )
    .wrap(Math.min(100, process.stdout.columns ?? 80));
  for (const spec of RUN_OPTIONS) {
    cli.option(spec.name, {
      alias: spec.alias,
      type: spec.type,
      describe: spec.description,
      choices: spec.choices,
      ...(spec.default === undefined ? {} : { default: spec.default }),
    });
  }
  for (const [command, description] of EXAMPLES) cli.example(command, description);
  return cli.getHelp();
}
