// Help for every command: each option with one line, and two or three examples; --version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import type { HelpPage } from '../../src/cli/help.js';
import { RUN_HELP } from '../../src/cli/spec.js';
import { identities, nsrun, root } from './harness.js';

const pages: [string, readonly string[], () => Promise<HelpPage>][] = [
  ['run', ['--help'], async () => RUN_HELP],
  ...COMMANDS.map((c): [string, readonly string[], () => Promise<HelpPage>] => [c.name, [c.name, '--help'], async () => (await c.load()).help]),
];

describe.each(identities)('help, as $name', (who) => {
  it.each(pages)('nsrun %s --help lists every option with one line, and 2 or 3 examples', async (_, args, page) => {
    const { options, examples } = await page();
    const r = await nsrun(args, who);
    expect(r.exitCode).toBe(0);
    for (const option of options) {
      expect(option.description).not.toMatch(/\n/);
      expect(r.stdout).toContain(`--${option.name}`);
    }
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    expect(r.stdout).toMatch(/\nExamples:\n/);
  });

  it('nsrun --help lists every command', async () => {
    const r = await nsrun(['--help'], who);
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  nsrun ${command.name} +${command.summary.slice(0, 20)}`, 'm'));
  });

  it.each([['--version'], ['-V']])('nsrun %s prints the package version', async (flag) => {
    const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    const r = await nsrun([flag], who);
    expect(r).toMatchObject({ exitCode: 0, stdout: `nsrun ${version}` });
  });
});
