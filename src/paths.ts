/** Where nsrun's own files are. This module sits one level below the package root both in
 * `dist/` as compiled and in the bundled command `dist/nsrun.cjs`, so one relative path serves both. */
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** The absolute path of `relative`, a path inside the nsrun package. */
export function packagePath(relative: string): string {
  return join(root, relative);
}
