/** The nsrun command: parse, normalise, run the helper, and exit as the command did. */
import { readFileSync } from 'node:fs';
import { formatMessage, NsrunError, EXIT } from '../errors.js';
import { runHelper } from '../helper.js';
import { normalizeOptions } from '../options.js';
import { parseCommandLine } from './parse.js';

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>)['version'] : undefined;
  return String(version);
}

async function run(argv: readonly string[]): Promise<number> {
  const commandLine = parseCommandLine(argv);
  switch (commandLine.action) {
    case 'help': {
      const { helpText } = await import('./help.js');
      const text = await helpText();
      (argv.length === 0 ? process.stderr : process.stdout).write(`${text}\n`);
      return argv.length === 0 ? EXIT.usage : 0;
    }
    case 'version':
      process.stdout.write(`nsrun ${packageVersion()}\n`);
      return 0;
    case 'run': {
      const config = normalizeOptions(commandLine.command, commandLine.options);
      if (commandLine.dryRun) {
        process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        return 0;
      }
      return (await runHelper(config)).exitCode;
    }
  }
}

/** Runs nsrun with `argv` (without node and the script); sets process.exitCode and returns. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await run(argv);
  } catch (error) {
    process.stderr.write(`${formatMessage(error)}\n`);
    process.exitCode = error instanceof NsrunError ? error.exitCode : EXIT.setup;
  }
}
