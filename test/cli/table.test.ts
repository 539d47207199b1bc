import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/table.js';

describe('formatTable', () => {
  it('pads each column to its widest cell, numbers to the right, the last column unpadded', () => {
    const text = formatTable(
      [{ heading: 'NS', right: true }, { heading: 'TYPE' }, { heading: 'COMMAND' }],
      [
        ['4026531836', 'pid', 'init'],
        ['7', 'user', 'a longer command'],
      ],
    );
    expect(text).toBe('        NS TYPE COMMAND\n4026531836 pid  init\n         7 user a longer command\n');
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable([{ heading: 'NAME' }, { heading: 'HOLDER' }], [])).toBe('NAME HOLDER\n');
  });
});
