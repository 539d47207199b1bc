import { describe, expect, it } from 'vitest';
import type { IdMaps } from '../src/idmaps.js';
import { mapsThroughHub, parseSubnet, validateNetworkName } from '../src/bridge.js';
import { fakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

describe('validateNetworkName', () => {
  it.each(['a', 'lab', 'Lab-2_x', '9', 'x'.repeat(11)])('accepts %j', (name) => {
    expect(validateNetworkName(name)).toBe(name);
  });

  it.each(['', '-a', '_a', 'a.b', 'a b', 'a/b', 'x'.repeat(12), 'é'])('refuses %j with a usage error', (name) => {
    const error = thrown(() => validateNetworkName(name));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toMatch(/^invalid network name .*: expected a letter or digit, then up to 10/);
  });
});

describe('parseSubnet', () => {
  it.each([
    ['10.89.0.0/24', (10 << 24) + (89 << 16), 24],
    ['192.168.4.0/30', 0xc0a80400, 30],
    ['172.16.0.0/12', 0xac100000, 12],
    ['10.0.0.0/8', 0x0a000000, 8],
  ])('reads %s', (text, base, prefix) => {
    expect(parseSubnet(text)).toEqual({ base, prefix });
  });

  it.each([
    ['10.89.0.0', /expected an IPv4 network A\.B\.C\.D\/N/],
    ['10.89.0.0/31', /with N from 8 to 30/],
    ['10.89.0.0/7', /with N from 8 to 30/],
    ['10.89.0.0/24/1', /expected an IPv4 network/],
    ['10.256.0.0/16', /expected an IPv4 network/],
    ['10.89.0/24', /expected an IPv4 network/],
    ['010.89.0.0/24', /expected an IPv4 network/],
    ['10.89.00.0/24', /expected an IPv4 network/],
    ['10.89.0.0/024', /with N from 8 to 30/],
    ['fd00::/64', /expected an IPv4 network/],
    ['127.0.0.0/8', /expected a unicast range/],
    ['0.0.0.0/8', /expected a unicast range/],
    ['224.0.0.0/24', /expected a unicast range/],
    ['10.89.0.1/24', /its host bits are set: did you mean 10\.89\.0\.0\/24\?/],
  ])('refuses %j naming --subnet', (text, why) => {
    const error = thrown(() => parseSubnet(text));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toMatch(new RegExp(`^invalid --subnet '${text.replace(/[./]/g, '\\$&')}': `));
    expect(error.message).toMatch(why);
  });
});

describe('mapsThroughHub', () => {
  const system = fakeSystem({ euid: 1000, egid: 1000 });
  const maps = (uid: IdMaps['uid-map'], more: Partial<IdMaps> = {}): IdMaps => ({
    'uid-map': uid,
    'gid-map': [[0, 1000, 1]],
    newuidmap: undefined,
    newgidmap: undefined,
    setgroups: 'deny',
    ...more,
  });

  it("maps the caller's own ids to 0 of the hub, where the caller is 0", () => {
    expect(mapsThroughHub('lab', maps([[0, 1000, 1]]), system)).toMatchObject({ 'uid-map': [[0, 0, 1]], 'gid-map': [[0, 0, 1]], setgroups: 'deny' });
    expect(mapsThroughHub('lab', maps([[1000, 1000, 1]]), system)['uid-map']).toEqual([[1000, 0, 1]]);
  });

  it.each([
    ['another id', maps([[0, 100000, 1]])],
    ['a range', maps([[0, 1000, 2]])],
    ['newuidmap', maps([[0, 1000, 1]], { newuidmap: '/usr/bin/newuidmap' })],
  ])('refuses %s with a usage error', (_, given) => {
    const error = thrown(() => mapsThroughHub('lab', given, system));
    expect(error).toMatchObject({ step: 'usage', exitCode: 2 });
    expect(error.message).toBe("--network lab without root maps only your own ids: the hub's user namespace holds no other");
  });
});
