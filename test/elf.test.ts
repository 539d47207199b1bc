import { arch } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readElf } from '../src/elf.js';
import { helperBin } from './e2e/harness.js';

describe('readElf', () => {
  it('finds the helper static, for this architecture, without glibc', () => {
    expect(readElf(helperBin)).toEqual({ architecture: arch(), interpreter: false, gnuAbiTag: false });
  });

  it('finds the program interpreter and glibc of node, a dynamically linked glibc program', () => {
    expect(readElf(process.execPath)).toEqual({ architecture: arch(), interpreter: true, gnuAbiTag: true });
  });

  it('says a file that is not ELF is not', () => {
    expect(readElf('/etc/passwd')).toBeUndefined();
  });
});
