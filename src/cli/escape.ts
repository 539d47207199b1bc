/** Text from other users (command lines, names, paths) made safe to print on a terminal, as lsns prints it. */

/**
 * `text` with each unsafe character written as the `\xHH` of its UTF-8 bytes, as util-linux does
 * (`\x1b` for ESC). Unsafe: what a terminal would act on or that can forge a row: control
 * characters (escape sequences, newlines, carriage returns), invisible format characters
 * (bidirectional overrides), line and paragraph separators, lone surrogates; and a backslash
 * before `x`, which would read as an escape. The pattern is written here, not in the module's top
 * level, since V8 builds its Unicode sets where it is first evaluated: a start that prints nothing
 * would pay for it (BENCHMARKS.md).
 */
export function escapeText(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]|\\(?=x)/gu, (char) => [...Buffer.from(char, 'utf8')].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join(''));
}
