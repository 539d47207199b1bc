/** `nsrun run --name NAME`: the command runs in namespaces that stay after it ends. */
import type { HelperConfig } from '../config.js';
import { commandConfig, createSandbox, validateName } from '../keep.js';

/**
 * Makes the kept sandbox `name` from `config`, then runs its command in it (joining the
 * holder, as `nsrun exec --name` does); returns the command's exit status. With `dryRun`
 * prints the sandbox's name and config and makes nothing.
 */
export async function runKept(
  name: string,
  config: HelperConfig,
  dryRun: boolean,
  execute: (config: HelperConfig) => Promise<number>,
): Promise<number> {
  validateName(name);
  if (dryRun) {
    process.stdout.write(`${JSON.stringify({ name, ...config }, null, 2)}\n`);
    return 0;
  }
  const sandbox = await createSandbox(name, config);
  if (config.veth !== undefined) {
    const { nameMember } = await import('../bridge.js');
    nameMember(config.veth, name);
  }
  return execute(commandConfig(config, sandbox, process.cwd()));
}
