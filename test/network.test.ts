import { describe, expect, it } from 'vitest';
import { chooseNetwork, parsePublish } from '../src/network.js';
import { normalizeOptions, type NsrunOptions } from '../src/options.js';
import { ALICE, fakeSystem, type FakeSystem } from './support/system.js';
import { thrown } from './support/thrown.js';

const BOTH = ['/usr/bin/pasta', '/usr/bin/slirp4netns'];

function normalize(options: NsrunOptions, system: FakeSystem = { executables: BOTH }) {
  return normalizeOptions(['true'], options, fakeSystem(system));
}

describe('parsePublish', () => {
  it.each([
    ['8080:80', { address: undefined, host: [8080, 8080], sandbox: [80, 80], protocol: 'tcp' }],
    ['127.0.0.1:53:5353/udp', { address: '127.0.0.1', host: [53, 53], sandbox: [5353, 5353], protocol: 'udp' }],
    ['5000-5002:6000-6002/tcp', { address: undefined, host: [5000, 5002], sandbox: [6000, 6002], protocol: 'tcp' }],
  ])('reads %s as podman writes it', (entry, expected) => {
    expect(parsePublish(entry)).toEqual(expected);
  });

  it.each(['80', '0:80', '65536:80', '8080:80/sctp', '1-3:1-2', '3-1:3-1', '300.0.0.1:80:80', 'a:b:c:d', 'host:80:80'])(
    'refuses %s, naming --publish',
    (entry) => {
      expect(thrown(() => parsePublish(entry))).toMatchObject({ step: 'usage', exitCode: 2, message: expect.stringMatching(/^invalid --publish '/) });
    },
  );
});

describe('chooseNetwork', () => {
  it('takes pasta for auto when both are installed, slirp4netns when only it is', () => {
    expect(chooseNetwork('auto', fakeSystem({ executables: BOTH }))).toEqual({
      kind: 'backend',
      backend: 'pasta',
      program: '/usr/bin/pasta',
      fallback: { backend: 'slirp4netns', program: '/usr/bin/slirp4netns' },
    });
    expect(chooseNetwork('pasta', fakeSystem({ executables: BOTH }))).toMatchObject({ fallback: undefined });
    expect(chooseNetwork('auto', fakeSystem({ executables: ['/usr/bin/slirp4netns'] }))).toMatchObject({ backend: 'slirp4netns' });
  });

  it('finds a backend in the usual directories when PATH is empty', () => {
    expect(chooseNetwork('slirp4netns', fakeSystem({ env: {}, executables: ['/usr/bin/slirp4netns'] }))).toMatchObject({ program: '/usr/bin/slirp4netns' });
  });

  it('says which package to install when a backend is missing (125)', () => {
    expect(thrown(() => chooseNetwork('pasta', fakeSystem()))).toMatchObject({ exitCode: 125, step: 'network', hint: 'install the passt package (apt-get install passt)' });
    expect(thrown(() => chooseNetwork('auto', fakeSystem()))).toMatchObject({ message: expect.stringContaining('neither pasta nor slirp4netns is installed') });
  });

  it('takes a name that is no mode for a network of nsrun network create', () => {
    expect(chooseNetwork('mynet', fakeSystem({ executables: BOTH }))).toEqual({ kind: 'bridge', name: 'mynet' });
  });
});

describe('normalizeOptions with network', () => {
  it('none adds a network namespace, host takes the default one away', () => {
    expect(normalize({ flags: 'uts', network: 'none' }).namespaces).toEqual(['uts', 'net']);
    expect(normalize({ network: 'host' }).namespaces).not.toContain('net');
    expect(thrown(() => normalize({ flags: 'net', network: 'host' })).message).toBe('--network host cannot be used with net in --flags');
  });

  it('a backend adds net and mnt, and its command line keeps the outer loopback closed and no port open by default', () => {
    const config = normalize({ flags: 'pid', network: 'pasta' });
    expect(config.namespaces).toEqual(['pid', 'mnt', 'net']);
    expect(config.network?.argv).toEqual([
      '/usr/bin/pasta', '--config-net', '--foreground', '--quiet', '--dns-forward', '169.254.1.1',
      '-t', 'none', '-u', 'none', '--no-map-gw', '-T', 'none', '-U', 'none', '--runas', '0',
    ]);
    expect(normalize({ network: 'slirp4netns', hostLoopback: true }).network?.argv).toEqual(['/usr/bin/slirp4netns', '--configure', '--mtu=65520']);
  });

  it("writes the sandbox's resolv.conf: the backend's resolver, the caller's search domains and options", () => {
    const files = { '/etc/resolv.conf': 'nameserver 127.0.0.53\nsearch corp.example\noptions edns0\n' };
    expect(normalize({ network: 'slirp4netns' }, { executables: BOTH, files }).network?.['resolv-conf']).toBe(
      'nameserver 10.0.2.3\nsearch corp.example\noptions edns0\n',
    );
  });

  it('auto falls back from pasta to slirp4netns, with published ports too, which slirp4netns gets as forwards', () => {
    expect(normalize({ network: 'auto' })['network-fallback']).toMatchObject({ backend: 'slirp4netns', 'resolv-conf': 'nameserver 10.0.2.3\n' });
    expect(normalize({ network: 'auto' })['network-fallback']).not.toHaveProperty('forwards');
    expect(normalize({ network: 'auto', publish: ['8080:80'] })['network-fallback']).toMatchObject({ backend: 'slirp4netns', forwards: ['tcp:0.0.0.0:8080:80'] });
    expect(normalize({ network: 'auto', publish: ['8080:80'] }).network).not.toHaveProperty('forwards');
  });

  it('publishes ports through pasta, and refuses them without a backend that forwards them', () => {
    const argv = normalize({ network: 'pasta', publish: ['8080:80', '127.0.0.1:5353:53/udp'] }, { ...ALICE, executables: BOTH }).network?.argv;
    expect(argv).toEqual(expect.arrayContaining(['-t', '8080:80', '-u', '127.0.0.1/5353:53']));
    expect(argv).not.toContain('--runas');
    expect(thrown(() => normalize({ network: 'none', publish: ['80:80'] })).message).toBe('--publish needs --network pasta, slirp4netns or auto, not none');
  });

  it('publishes ports through slirp4netns one a port, ranges spread out, its command line unchanged', () => {
    const network = normalize({ network: 'slirp4netns', publish: ['8080-8081:80-81', '127.0.0.1:5353:53/udp'] }).network;
    expect(network?.forwards).toEqual(['tcp:0.0.0.0:8080:80', 'tcp:0.0.0.0:8081:81', 'udp:127.0.0.1:5353:53']);
    expect(network?.argv).toEqual(normalize({ network: 'slirp4netns' }).network?.argv);
  });
});
