import { describe, expect, it } from 'vitest';
import { CAPABILITIES, keptCapabilities } from '../src/capabilities.js';

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
