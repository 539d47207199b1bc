// After `npm install nsrun`: keep the shipped helper when it suits this machine, else build it.
// Never fails the install: without a helper, `nsrun doctor` says what is missing and how to fix it.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { arch } from 'node:os';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const elfModule = new URL('../dist/elf.js', import.meta.url);
const helper = `${packageDir}libexec/nsrun-helper`;

// A source tree before its first `make` has no dist/: the Makefile builds everything there.
if (existsSync(fileURLToPath(elfModule))) {
  const { readElf } = await import(elfModule.href);
  const found = existsSync(helper) ? readElf(helper) : undefined;
  if (found === undefined || found.architecture !== arch() || found.interpreter) {
    const why = found === undefined ? 'no prebuilt helper' : `the prebuilt helper is for ${found.architecture}`;
    process.stderr.write(`nsrun: ${why}; building libexec/nsrun-helper for ${arch()}\n`);
    try {
      rmSync(helper, { force: true });
      execFileSync('make', ['-C', `${packageDir}helper`, 'OUT=../libexec'], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      // npm tells a script of a global install by npm_config_global
      const rebuild = process.env.npm_config_global === 'true' ? 'npm rebuild -g nsrun' : 'npm rebuild nsrun';
      process.stderr.write(`nsrun: could not build the helper: it needs gcc and make; after installing them, run \`${rebuild}\`\n`);
    }
  }
}
