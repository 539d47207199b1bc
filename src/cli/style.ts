/**
 * Colour for human output, decided as Node and chalk decide it: FORCE_COLOR, when set, wins
 * (colour unless it is 0 or false, terminal or not); otherwise only on a terminal, never when
 * NO_COLOR is set and not empty (no-color.org), nor when TERM is dumb.
 */

/** How a check's status is shown. */
export interface Style {
  readonly good: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly faint: (text: string) => string;
}

const plain = (text: string): string => text;
const sgr =
  (code: string) =>
  (text: string): string =>
    `\x1b[${code}m${text}\x1b[0m`;

/** Whether output to `stream` is coloured, under `env`. */
function coloured(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

/** The style for `stream`: colours when `coloured` says so. */
export function styleFor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): Style {
  return coloured(stream, env)
    ? { good: sgr('32'), warn: sgr('33'), bad: sgr('31;1'), faint: sgr('2') }
    : { good: plain, warn: plain, bad: plain, faint: plain };
}
