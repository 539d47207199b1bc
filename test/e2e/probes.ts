// Small C programs the end-to-end tests build to try what a shell cannot.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Compiles source into dir/name with gcc and the extra flags; returns the binary's path. */
export function compileC(dir: string, name: string, source: string, ...flags: string[]): string {
  const file = join(dir, `${name}.c`);
  const binary = join(dir, name);
  writeFileSync(file, source);
  execFileSync('gcc', [...flags, '-o', binary, file]);
  return binary;
}
