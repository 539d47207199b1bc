// nsrun completion: the bash script completes commands, options and their values.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { identities, nsrun } from './harness.js';

/** Completes the words as bash would at the end of the line, with the script nsrun printed. */
async function complete(script: string, words: readonly string[]): Promise<string[]> {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _nsrun; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['--norc', '--noprofile', '-c', program]);
  return r.stdout === '' ? [] : [...new Set(r.stdout.split('\n'))];
}

describe.each(identities)('nsrun completion, as $name', (who) => {
  it.each([
    [['nsrun', '--fl'], ['--flags']],
    [['nsrun', 'run', '--prop'], ['--propagation']],
    [['nsrun', '--map', 'a'], ['auto']],
    [['nsrun', '--flags', 'uts,p'], ['uts,pid']],
    [['nsrun', '--hostname', 'x', '--in'], ['--init']],
    [['nsrun', 'doctor', '--j'], ['--json']],
    [['nsrun', 'completion', 'z'], ['zsh']],
    [['nsrun', '--flags', 'uts', 'sh', '--fl'], []],
  ])('completes %j to %j', async (words, expected) => {
    const r = await nsrun(['completion', 'bash'], who);
    expect(r.exitCode).toBe(0);
    expect(await complete(r.stdout, words)).toEqual(expected);
  });

  it('completes the command name, and the sandboxed command after the options', async () => {
    const { stdout } = await nsrun(['completion', 'bash'], who);
    expect(await complete(stdout, ['nsrun', 'doc'])).toContain('doctor');
    expect(await complete(stdout, ['nsrun', '--flags', 'uts', '--', 'hostn'])).toContain('hostname');
  });

  it.each([
    [['nsrun', '--fl'], ['--flags']],
    [['nsrun', '--flags', 'uts,p'], ['uts,pid']],
    [['nsrun', 'doctor', '--j'], ['--json']],
    [['nsrun', 'completion', 'z'], ['zsh']],
  ])('in zsh, completes %j to %j', async (words, expected) => {
    const r = await nsrun(['completion', 'zsh'], who);
    expect(r.stdout).toMatch(/^#compdef nsrun\n/);
    // what zsh's bash emulation asks of the function; compadd then keeps the matches of the word typed
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const program = [
      'autoload -U compinit && compinit -u -D',
      r.stdout,
      `words=(${quoted}); CURRENT=${words.length}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}`,
      'compgen -F _nsrun -- "${words[CURRENT]}"',
    ].join('\n');
    const z = await execa('zsh', ['-f', '-c', program], { env: { HOME: '/nonexistent' } });
    const typed = words.at(-1) ?? '';
    expect([...new Set(z.stdout.split('\n'))].filter((m) => m.startsWith(typed))).toEqual(expected);
  });

  it('refuses a shell it does not know with exit 2', async () => {
    const r = await nsrun(['completion', 'fish'], who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("nsrun: invalid shell 'fish': expected bash or zsh");
  });
});
