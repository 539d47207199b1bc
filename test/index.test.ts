import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { root } from './e2e/harness.js';

/** Every module src/index.ts loads, statically or not, and the packages they name. */
function importGraph(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    modules.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, specifier = ''] of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
      if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), `file://${file}`).pathname);
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { modules, packages };
}

describe('the library entry', () => {
  it('exports the API', () => {
    for (const name of ['run', 'spawn', 'doctor', 'NsrunError', 'CommandFailedError', 'normalizeOptions']) expect(api).toHaveProperty(name);
  });

  it('loads no command-line code and no package', () => {
    const { modules, packages } = importGraph(`${root}src/index.ts`);
    expect([...modules].filter((m) => m.includes('/src/cli/'))).toEqual([]);
    expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual([]);
  });
});
