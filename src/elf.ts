/** What nsrun needs to know of an ELF executable: its architecture, whether it is static, whether glibc is in it. */
import { closeSync, openSync, readSync } from 'node:fs';

/** An ELF executable's machine and linking. */
export interface ElfInfo {
  /** The Node name of its architecture (`x64`, `arm64`...), or `machine N` for one Node does not name. */
  readonly architecture: string;
  /** Whether it names a program interpreter (PT_INTERP): a dynamically linked executable does. */
  readonly interpreter: boolean;
  /** Whether it carries the GNU ABI tag note (NT_GNU_ABI_TAG), which glibc links into every program and musl into none. */
  readonly gnuAbiTag: boolean;
}

/** e_machine values (elf.h) by the name process.arch gives them. */
const MACHINES: Readonly<Record<number, string>> = { 3: 'ia32', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390x', 40: 'arm', 62: 'x64', 183: 'arm64', 243: 'riscv64', 258: 'loong64' };

const PT_INTERP = 3;
const PT_NOTE = 4;
const NT_GNU_ABI_TAG = 1;
/** Enough for the ELF header and a program header table of a small static program. */
const READ_BYTES = 64 * 1024;

/** Reads the ELF header and program headers of `path`; undefined when it is not an ELF file. */
export function readElf(path: string): ElfInfo | undefined {
  const buffer = Buffer.alloc(READ_BYTES);
  const fd = openSync(path, 'r');
  let length: number;
  try {
    length = readSync(fd, buffer, 0, READ_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (length < 52 || buffer.toString('latin1', 0, 4) !== '\x7fELF') return undefined;
  const is64 = buffer[4] === 2;
  const little = buffer[5] === 1;
  const u16 = (at: number): number => (little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
  const u32 = (at: number): number => (little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
  const word = (at: number): number => (is64 ? Number(little ? buffer.readBigUInt64LE(at) : buffer.readBigUInt64BE(at)) : u32(at));
  const machine = u16(18);
  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  let interpreter = false;
  let gnuAbiTag = false;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > length) return undefined;
    if (u32(at) === PT_INTERP) interpreter = true;
    if (u32(at) === PT_NOTE) {
      const offset = word(at + (is64 ? 8 : 4));
      const size = word(at + (is64 ? 32 : 16));
      gnuAbiTag ||= hasGnuAbiTag(buffer, offset, Math.min(offset + size, length), u32);
    }
  }
  return { architecture: MACHINES[machine] ?? `machine ${machine}`, interpreter, gnuAbiTag };
}

/** Whether the notes from `start` to `end` of `buffer` hold one named GNU of type NT_GNU_ABI_TAG. */
function hasGnuAbiTag(buffer: Buffer, start: number, end: number, u32: (at: number) => number): boolean {
  const align = (n: number): number => (n + 3) & ~3;
  for (let at = start; at + 12 <= end; ) {
    const namesz = u32(at);
    if (u32(at + 8) === NT_GNU_ABI_TAG && buffer.toString('latin1', at + 12, at + 12 + namesz) === 'GNU\0') return true;
    at += 12 + align(namesz) + align(u32(at + 4));
  }
  return false;
}
