/** The nsrun command: parse, normalise, run the helper, and exit as the command did. */
import { readFileSync } from 'node:fs';
import { formatMessage, EXIT } from '../errors.js';
import { handOver } from '../handover.js';
import type { HelperConfig } from '../config.js';
import { normalizeOptions } from '../options.js';
import { packagePath } from '../paths.js';
import { COMMANDS } from './commands.js';
import { asNsrunError } from './failure.js';
import { parseCommandLine } from './parse.js';
import { openStatusStream } from './status.js';

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(packagePath('package.json'), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>)['version'] : undefined;
  return String(version);
}

/** Whether `--help` or `-h` comes among the options, before `--`. */
function asksForHelp(words: readonly string[]): boolean {
  const end = words.indexOf('--');
  return words.slice(0, end === -1 ? undefined : end).some((word) => word === '--help' || word === '-h');
}

async function run(argv: readonly string[]): Promise<number> {
  const command = COMMANDS.find((c) => c.name === argv[0]);
  if (command !== undefined) {
    const module = await command.load();
    if (asksForHelp(argv.slice(1))) {
      const { helpText } = await import('./help.js');
      process.stdout.write(`${helpText(module.help)}\n`);
      return 0;
    }
    return module.main(argv.slice(1));
  }
  const commandLine = parseCommandLine(argv);
  switch (commandLine.action) {
    case 'help': {
      const [{ helpText }, { mainPage }] = await Promise.all([import('./help.js'), import('./help-command.js')]);
      const text = helpText(mainPage());
      (argv.length === 0 ? process.stderr : process.stdout).write(`${text}\n`);
      return argv.length === 0 ? EXIT.usage : 0;
    }
    case 'version':
      process.stdout.write(`nsrun ${packageVersion()}\n`);
      return 0;
    case 'run': {
      const status = openStatusStream(commandLine.statusFd);
      const execute = async (config: HelperConfig): Promise<number> => {
        // nsrun writes the status lines itself: the helper cannot get the fd (see handOver)
        if (status === undefined) handOver(config);
        const { runHelper } = await import('../helper.js');
        const result = await runHelper(config, { onReady: status?.ready });
        status?.ended(result);
        return result.exitCode;
      };
      try {
        const config = normalizeOptions(commandLine.command, commandLine.options, undefined, !commandLine.dryRun);
        if (commandLine.name !== undefined) {
          const { runKept } = await import('./keep.js');
          return await runKept(commandLine.name, config, commandLine.dryRun, execute);
        }
        if (commandLine.dryRun) {
          process.stdout.write(`${JSON.stringify(config, null, 2)}
`);
          return 0;
        }
        return await execute(config);
      } catch (error) {
        status?.failed(error);
        throw error;
      }
    }
  }
}

/** Runs nsrun with `argv` (without node and the script); sets process.exitCode and returns. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await run(argv);
  } catch (error) {
    fail(error);
  }
}

/** Prints `error` as one line and sets the exit code it documents (125 when it is not nsrun's own). */
export function fail(error: unknown): void {
  const failure = asNsrunError(error);
  process.stderr.write(`${formatMessage(failure)}\n`);
  process.exitCode = failure.exitCode;
}
