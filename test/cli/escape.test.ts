import { describe, expect, it } from 'vitest';
import { escapeText } from '../../src/cli/escape.js';
import { formatTable } from '../../src/cli/table.js';

describe('escapeText', () => {
  it.each([
    ['sleep 100', 'sleep 100'],
    ['\x1b[2J\x1b[Hfake', '\\x1b[2J\\x1b[Hfake'],
    ['a\nb\rc\td', 'a\\x0ab\\x0dc\\x09d'],
    ['bell\x07 del\x7f', 'bell\\x07 del\\x7f'],
    ['csi\u009b31m', 'csi\\xc2\\x9b31m'],
    ['evil\u202etxt.exe', 'evil\\xe2\\x80\\xaetxt.exe'],
    ['line\u2028sep', 'line\\xe2\\x80\\xa8sep'],
    ['lone \ud800 surrogate', 'lone \\xef\\xbf\\xbd surrogate'],
    ['C:\\x41 and \\n', 'C:\\x5cx41 and \\n'],
    ['héllo wörld 名前', 'héllo wörld 名前'],
  ])('%j prints as %j', (text, shown) => {
    expect(escapeText(text)).toBe(shown);
  });
});

describe('formatTable escapes its cells', () => {
  it('keeps a command line with a newline and escapes on its own row, aligned by its escaped width', () => {
    const text = formatTable([{ heading: 'PID', right: true }, { heading: 'COMMAND' }, { heading: 'USER' }], [
      ['7', 'sh\n99 root forged\x1b[1A', 'nobody'],
      ['42', 'init', 'root'],
    ]);
    expect(text).toBe('PID COMMAND                     USER\n  7 sh\\x0a99 root forged\\x1b[1A nobody\n 42 init                        root\n');
  });
});
