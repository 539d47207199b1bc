/**
 * nsrun's commands besides `run` (the default). Each is loaded only when named,
 * so that `nsrun -- cmd` pays for none of them at start-up.
 */
import type { HelpPage } from './help.js';

/** A command's module: `main` gets the words after the command's name and returns the exit status. */
export interface CommandModule {
  main(argv: readonly string[]): Promise<number>;
  /** Its help page, for `nsrun help` and `nsrun <command> --help`. */
  readonly help: HelpPage;
}

export interface CommandEntry {
  readonly name: string;
  /** One line for `nsrun --help`. */
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

/** Every command but `run`, in the order `nsrun --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'exec', summary: 'run a command in the namespaces of a process or a kept sandbox', load: () => import('./exec.js') },
  { name: 'ps', summary: 'list the sandboxes kept with run --name', load: () => import('./ps.js') },
  { name: 'rm', summary: 'release kept sandboxes', load: () => import('./rm.js') },
  { name: 'network', summary: 'make, list and remove networks between sandboxes', load: () => import('./network.js') },
  { name: 'ls', summary: 'list namespaces, as lsns does', load: () => import('./ls.js') },
  { name: 'inspect', summary: 'compare the namespaces of processes', load: () => import('./inspect.js') },
  { name: 'limits', summary: 'the per-type namespace limits and how many exist', load: () => import('./limits.js') },
  { name: 'doctor', summary: 'tell what this machine allows, and how to fix what it does not', load: () => import('./doctor.js') },
  { name: 'completion', summary: 'print a bash, zsh or fish completion script', load: () => import('./completion.js') },
  { name: 'help', summary: 'show the help of nsrun or of one of its commands', load: () => import('./help-command.js') },
];
