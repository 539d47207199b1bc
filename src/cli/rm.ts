/** `nsrun rm NAME...`: release kept sandboxes. */
import { usageError } from '../errors.js';
import { removeSandbox, validateName } from '../keep.js';
import { forgetMember } from '../bridge.js';
import type { HelpPage } from './help.js';
import { parseOptions } from './parse.js';
import { HELP_OPTION, type OptionSpec } from './spec.js';

const OPTIONS: readonly OptionSpec[] = [HELP_OPTION];

export const help: HelpPage = {
  usage: 'rm NAME [NAME...]',
  description:
    'Release kept sandboxes: kill every process in their namespaces (the holder, the command, what exec started, also without a pid namespace), ' +
    'unmount the namespace files, remove the directory. A damaged record that names no namespace nsrun can check is refused.',
  options: OPTIONS,
  operands: 'sandbox',
  examples: [
    ['nsrun rm box', 'release the sandbox box'],
    ['nsrun rm $(nsrun ps --json | jq -r ".sandboxes[].name")', 'release all of yours'],
  ],
};

export async function main(argv: readonly string[]): Promise<number> {
  const { positionals } = parseOptions(argv, OPTIONS, 'rm');
  if (positionals.length === 0) throw usageError('rm needs the name of a sandbox (see nsrun ps)');
  for (const name of positionals) validateName(name);
  for (const name of positionals) {
    await removeSandbox(name);
    forgetMember(name);
  }
  return 0;
}
