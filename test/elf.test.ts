import { arch } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readElf } from '../src/elf.js';
import { helperBin } from './e2e/harness.js';

describe('readElf', () => {
  it('finds the helper static, for this architecture', () => {
    expect(readElf(helperBin)).toEqual({ architecture: arch(), interpreter: false });
  });

  it('finds the program interpreter of a dynamically linked program', () => {
    expect(readElf(process.execPath)).toEqual({ architecture: arch(), interpreter: true });
  });

  it('says a file that is not ELF is not', () => {
    expect(readElf('/etc/passwd')).toBeUndefined();
  });
});
