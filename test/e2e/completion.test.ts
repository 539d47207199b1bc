// nsrun completion: bash, zsh and fish, each driven for real, complete commands, options, their values
// and kept sandbox names, from the same tables.
import { execa } from 'execa';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identities, nsrun, root, type Identity } from './harness.js';

/** A PATH that finds nsrun and node, and the system's programs: `nsrun ps --quiet` runs from the scripts. */
const PATH = [`${root}bin`, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');

let dir = '';

/** Runs `argv` as `who` in an environment of its own, a home of its own in the test's directory (fish writes there), and gives its stdout. */
async function output(who: Identity, argv: readonly string[], cwd: string): Promise<string> {
  const [file, ...rest] = [...who.prefix, ...argv];
  const env = { PATH, HOME: join(dir, `home-${who.uid}`) };
  const r = await execa(file as string, rest, { env, extendEnv: false, cwd, timeout: 20_000 });
  return r.stdout;
}

/** The distinct lines of `text`. */
const lines = (text: string): string[] => (text === '' ? [] : [...new Set(text.split('\n'))]);

/** Completes the words as bash would at the end of the line, with the script nsrun printed. */
async function bash(who: Identity, script: string, words: readonly string[]): Promise<string[]> {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _nsrun; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return lines(await output(who, ['bash', '--norc', '--noprofile', '-c', program], '/'));
}

/**
 * Types `line` and Tab in an interactive zsh on a pseudo-terminal (zpty), its completion system
 * started with _nsrun in $fpath; prints each match zsh offers, as the compadd calls add them.
 */
const ZSH_DRIVER = String.raw`
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; fpath=(${'$'}{(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { if [[ ${'$'}{@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; (( $#hits )) && print -rl -- "<""m>"${'$'}{^hits}; builtin compadd "$@" }'
zpty -w z 'finish() { zle complete-word; print -rn -- "<E""OC>"; }; zle -N finish; bindkey "^I" finish'
zpty -w -n z "$2"$'\t'
local out=''
zpty -r z out '*<EOC>*' || exit 1
zpty -d z
print -r -- "$out" | tr -d '\r' | grep -ao '<m>.*' | sed 's/^<m>//'
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nsrun-completion-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'drive.zsh'), ZSH_DRIVER);
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** What zsh offers after typing `line` and Tab, with the script nsrun printed as _nsrun in $fpath. */
async function zsh(who: Identity, functions: string, line: string): Promise<string[]> {
  return lines(await output(who, ['zsh', '-f', join(dir, 'drive.zsh'), functions, line], '/'));
}

/** What fish offers for `line` (complete -C), with the script nsrun printed. */
async function fish(who: Identity, script: string, line: string): Promise<string[]> {
  return lines(await output(who, ['fish', '--no-config', '-c', `source ${script}; complete -C '${line}'`], '/')).map((l) => l.split('\t')[0] ?? '');
}

/** Completion cases every shell must pass: the words typed, and what is offered for the last one. */
const CASES: readonly (readonly [string, readonly string[]])[] = [
  ['nsrun --fl', ['--flags']],
  ['nsrun run --prop', ['--propagation']],
  ['nsrun --map a', ['auto']],
  ['nsrun --hostname x --in', ['--init']],
  ['nsrun doctor --j', ['--json']],
  ['nsrun completion f', ['fish']],
  ['nsrun ls --type n', ['net']],
  ['nsrun ls --tree o', ['owner']],
  ['nsrun exec --na', ['--name']],
  ['nsrun help ex', ['exec']],
  ['nsrun --flags uts sh --fl', []],
];

describe.each(identities)('nsrun completion, as $name', (who) => {
  // a kept sandbox of this identity, with a name no other test uses
  const kept = `completes-${process.pid}-${who.uid}`;
  let scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };
  let functions = '';

  beforeAll(async () => {
    const made = await nsrun(['run', '--name', kept, '--flags', 'uts', '--', 'true'], who);
    expect(made).toMatchObject({ exitCode: 0, stderr: '' });
    const [b, z, f] = await Promise.all(['bash', 'zsh', 'fish'].map((shell) => nsrun(['completion', shell], who)));
    scripts = { bash: b?.stdout ?? '', zsh: z?.stdout ?? '', fish: join(dir, `nsrun-${who.uid}.fish`) };
    writeFileSync(scripts.fish, f?.stdout ?? '');
    functions = join(dir, `zsh-${who.uid}`);
    mkdirSync(functions);
    mkdirSync(join(dir, `home-${who.uid}`));
    chownSync(join(dir, `home-${who.uid}`), who.uid, who.uid);
    writeFileSync(join(functions, '_nsrun'), scripts.zsh);
    chmodSync(functions, 0o755);
  }, 30_000);

  afterAll(async () => {
    await nsrun(['rm', kept], who);
  });

  it.each(CASES)('bash completes %j to %j', async (line, expected) => {
    expect(await bash(who, scripts.bash, line.split(' '))).toEqual(expected);
  });

  it.each(CASES)('zsh, through its own _arguments function, completes %j to %j', async (line, expected) => {
    expect(scripts.zsh).toMatch(/^#compdef nsrun\n/);
    expect(scripts.zsh).not.toMatch(/bashcompinit/);
    expect(await zsh(who, functions, line)).toEqual(expected);
  });

  it.each(CASES)('fish completes %j to %j', async (line, expected) => {
    expect(await fish(who, scripts.fish, line)).toEqual(expected);
  });

  it.each([
    ['nsrun --flags uts,p', 'uts,pid', 'pid'],
    ['nsrun --cap-drop SYS_ADMIN,NET_R', 'SYS_ADMIN,NET_RAW', 'NET_RAW'],
    ['nsrun exec --target 1 --flags n', 'ns', 'ns'],
  ])('completes the last word of the comma list %j', async (line, whole, last) => {
    expect(await bash(who, scripts.bash, line.split(' '))).toContain(whole);
    // zsh's _sequence offers the word after the last comma, fish the whole list
    expect(await zsh(who, functions, line)).toContain(last);
    expect(await fish(who, scripts.fish, line)).toContain(whole);
  });

  it.each([
    ['rm'],
    ['exec --name'],
    ['exec -n'],
  ])('offers the kept sandboxes after nsrun %s', async (words) => {
    const line = `nsrun ${words} completes-${process.pid}-`;
    expect(await bash(who, scripts.bash, line.split(' '))).toEqual([kept]);
    expect(await zsh(who, functions, line)).toEqual([kept]);
    expect(await fish(who, scripts.fish, line)).toEqual([kept]);
  });

  it('completes the command name, and the sandboxed command after the options', async () => {
    for (const offered of [await bash(who, scripts.bash, ['nsrun', 'doc']), await zsh(who, functions, 'nsrun doc'), await fish(who, scripts.fish, 'nsrun doc')]) {
      expect(offered).toContain('doctor');
    }
    for (const line of ['nsrun --flags uts -- hostn', 'nsrun --flags uts hostn', 'nsrun exec --name box -- hostn', 'nsrun exec --name box hostn']) {
      expect(await bash(who, scripts.bash, line.split(' '))).toContain('hostname');
      expect(await zsh(who, functions, line)).toContain('hostname');
      expect(await fish(who, scripts.fish, line)).toContain('hostname');
    }
  });

  it('in zsh, an autoloaded _nsrun completes, and a sourced one registers itself', async () => {
    const sourced = `autoload -U compinit && compinit -u -D; source <(nsrun completion zsh); print -r -- $_comps[nsrun]`;
    expect(await output(who, ['zsh', '-f', '-c', sourced], '/')).toBe('_nsrun');
  });

  it.each([
    ['/usr/bin/fish', /^# fish completion for nsrun/],
    ['/bin/zsh', /^#compdef nsrun\n/],
    ['/bin/bash', /^# bash completion for nsrun/],
    ['/bin/tcsh', /^# bash completion for nsrun/],
  ])('without a shell named, writes for $SHELL %s (bash for one it does not know)', async (shell, start) => {
    const r = await nsrun(['completion'], who, { env: { SHELL: shell } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(start);
  });

  it('refuses a shell it does not know with exit 2', async () => {
    const r = await nsrun(['completion', 'tcsh'], who);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("nsrun: invalid shell 'tcsh': expected bash, zsh, fish");
  });
});
