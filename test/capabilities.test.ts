import { describe, expect, it } from 'vitest';
import { CAPABILITIES, keptCapabilities, narrowedCapabilities } from '../src/capabilities.js';
import { thrown } from './support/thrown.js';

const ALL = CAPABILITIES.map((_, n) => n);

describe('keptCapabilities', () => {
  it.each([
    [undefined, undefined, true, undefined],
    [['all'], undefined, true, []],
    [['all'], ['NET_ADMIN'], true, [12]],
    [['all'], ['cap_net_admin,CAP_SYS_TIME'], true, [12, 25]],
    [['NET_RAW', 'sys_admin'], undefined, true, ALL.filter((n) => n !== 13 && n !== 21)],
    [undefined, ['NET_BIND_SERVICE'], false, [10]],
    [undefined, ['NET_BIND_SERVICE'], true, ALL],
  ] as const)('drop %j add %j as root %s keeps %j', (drop, add, root, kept) => {
    expect(keptCapabilities(drop, add, root)).toEqual(kept);
  });

  it.each([
    [['NET_NOPE'], undefined, "invalid --cap-drop 'NET_NOPE'"],
    [undefined, ['all,bogus'], "invalid --cap-add 'bogus'"],
  ] as const)('refuses an unknown name: drop %j add %j', (drop, add, message) => {
    expect(() => keptCapabilities(drop, add, true)).toThrow(message);
  });
});

describe('narrowedCapabilities', () => {
  it.each([
    [[12, 13, 21], ['NET_RAW'], undefined, [12, 21]],
    [[12, 13, 21], ['all'], ['NET_RAW'], [13]],
    [[12, 13], undefined, ['NET_ADMIN'], [12, 13]],
  ] as const)('of %j, drop %j add %j keeps %j', (allowed, drop, add, kept) => {
    expect(narrowedCapabilities(allowed, drop, add, "sandbox 'box'")).toEqual(kept);
  });

  it('refuses to add what the sandbox has not got: exit 2, one line naming the capability', () => {
    const error = thrown(() => narrowedCapabilities([13], ['all'], ['NET_RAW,SYS_ADMIN'], "sandbox 'box'"));
    expect(error).toMatchObject({ exitCode: 2, message: "--cap-add SYS_ADMIN: not among the capabilities of sandbox 'box'; exec can only narrow them" });
  });
});
