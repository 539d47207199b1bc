/** Colour for human output: only on a terminal, and never when NO_COLOR is set (no-color.org). */

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

/** The style for `stream`: colours when it is a terminal and NO_COLOR is unset or empty. */
export function styleFor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env): Style {
  const colour = stream.isTTY === true && (env['NO_COLOR'] ?? '') === '';
  return colour
    ? { good: sgr('32'), warn: sgr('33'), bad: sgr('31;1'), faint: sgr('2') }
    : { good: plain, warn: plain, bad: plain, faint: plain };
}
