// nsrun(1): written at build time from the tables --help shows, declared in package.json, and
// rendered by man(1) with every option of every command's --help in it.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { manPage } from '../../src/cli/manpage.js';
import { ENVIRONMENT } from '../../src/cli/spec.js';
import { nsrun, root } from './harness.js';

const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string; man: string[]; files: string[] };
const page = `${root}dist/nsrun.1`;

/** The page as man renders it, without a terminal: plain text, 80 columns, in an environment of its own. */
async function rendered(): Promise<{ stdout: string; stderr: string }> {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', MANWIDTH: '80' };
  return execa('man', ['--warnings', '-l', page], { env, extendEnv: false });
}

/** Every long option a help text names. */
function longOptions(help: string): string[] {
  return [...new Set(help.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];
}

describe('nsrun(1)', () => {
  it('is the page the option tables make now: the build wrote it from them', async () => {
    expect(readFileSync(page, 'utf8')).toBe(await manPage(manifest.version));
  });

  it('is declared in package.json and shipped', () => {
    expect(manifest.man).toEqual(['./dist/nsrun.1']);
    expect(manifest.files).toContain('dist/nsrun.1');
  });

  it('renders with man -l without a warning, with its sections', async () => {
    const { stdout, stderr } = await rendered();
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^NSRUN\(1\) +User Commands +NSRUN\(1\)$/m);
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'COMMANDS', 'EXAMPLES', 'ENVIRONMENT', 'EXIT STATUS', 'FILES', 'SEE ALSO']) {
      expect(stdout).toMatch(new RegExp(`^${section}$`, 'm'));
    }
    expect(stdout).toMatch(/^ {7}nsrun - run a command in new Linux namespaces$/m);
  });

  it.each([['run', ['--help']] as const, ...COMMANDS.map((c) => [c.name, [c.name, '--help']] as const)])(
    'has every option that nsrun %s --help shows, and its usage',
    async (name, args) => {
      const help = await nsrun(args);
      expect(help.exitCode).toBe(0);
      const { stdout } = await rendered();
      const options = longOptions(help.stdout);
      expect(options.length).toBeGreaterThan(0);
      for (const option of options) expect(stdout).toContain(option);
      // the usage is the first paragraph; each side wraps it at its own width
      const words = (text: string): string => text.replace(/\s+/g, ' ').trim();
      const usage = words(help.stdout.split('\n\n')[0] ?? '');
      expect(words(stdout)).toContain(name === 'run' ? usage.replace(/^nsrun /, '') : usage);
    },
  );

  it('has an ENVIRONMENT section that --help also shows, NSRUN_HELPER first', async () => {
    const { stdout } = await rendered();
    const environment = stdout.slice(stdout.indexOf('\nENVIRONMENT\n'), stdout.indexOf('\nEXIT STATUS\n'));
    const help = (await nsrun(['--help'])).stdout;
    expect(ENVIRONMENT[0]?.[0]).toBe('NSRUN_HELPER');
    for (const [variable] of ENVIRONMENT) {
      expect(environment).toMatch(new RegExp(`^ {7}${variable}( |$)`, 'm'));
      expect(help).toMatch(new RegExp(`^  ${variable} `, 'm'));
    }
  });

  it('lists the exit statuses nsrun documents', async () => {
    const { stdout } = await rendered();
    const exit = stdout.slice(stdout.indexOf('\nEXIT STATUS\n'), stdout.indexOf('\nFILES\n')).replace(/\s+/g, ' ');
    for (const status of ['2 for a usage error', '125 when the sandbox could not be set up', '126 when the command cannot be executed', '127 when it is not found']) {
      expect(exit).toContain(status);
    }
  });
});
