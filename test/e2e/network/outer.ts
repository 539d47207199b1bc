// The network tests' outer network: a network namespace the test makes (with PID and mount
// namespaces of its own, so that everything started in it ends with it), where nsrun runs and
// where pasta's and slirp4netns's "outside" is. No packet of a test leaves it: its only
// interfaces are lo and a veth pair whose two ends both stay inside, 203.0.113.1/24 (the default
// route's side) and 198.51.100.2/24 (the servers', servers.mjs). Its /etc/resolv.conf names
// 127.0.0.53, on its loopback; its /dev/net/tun is a 0666 node of its own (the machine's may be
// 0600), bound in its mount namespace. The machine's interfaces, resolver and device are untouched.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { nsrunBin, root, type Identity, type Outcome } from '../harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const CLIENT = `${here}client.mjs`;
const SERVERS = `${here}servers.mjs`;

/** The outer network's addresses: nsrun's side (whose default route pasta copies), and the servers'. */
export const OUTER = { address: '203.0.113.1', gateway: '203.0.113.254', server: '198.51.100.2' } as const;

const SETUP = `
set -e
ip link set lo up
ip link add nsrun-out type veth peer name nsrun-srv
ip addr add ${OUTER.address}/24 dev nsrun-out
ip addr add ${OUTER.server}/24 dev nsrun-srv
ip link set nsrun-out up
ip link set nsrun-srv up
ip route add default via ${OUTER.gateway}
mount -t tmpfs -o mode=0755 nsrun-outer /mnt
mknod -m 0666 /mnt/tun c 10 200
mount --bind /mnt/tun /dev/net/tun
printf 'nameserver 127.0.0.53\\nsearch example.test\\n' > /mnt/resolv.conf
mount --bind /mnt/resolv.conf /etc/resolv.conf
: > /mnt/servers.log
"$NODE" "$SERVERS" > /mnt/servers.log &
until grep -q ready /mnt/servers.log; do sleep 0.02; done
set +e
`;

/**
 * Runs the shell script in a new outer network, as root; the script finds $NSRUN, $NODE, $CLIENT
 * and $AS (the prefix that runs a command as who: nsrun $AS "$NSRUN" ...). Never rejects.
 */
export async function inOuterNetwork(script: string, who: Identity, timeout = 25_000): Promise<Outcome> {
  const unshare = ['--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];
  const r = await execa('unshare', [...unshare, 'sh', '-c', `${SETUP}\n${script}`], {
    reject: false,
    stdin: 'ignore',
    timeout,
    // the outer PID namespace's init is a shell, which ignores SIGTERM: SIGKILL of unshare ends it (--kill-child), and all in it
    killSignal: 'SIGKILL',
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', NSRUN: nsrunBin, NODE: process.execPath, CLIENT, SERVERS, ROOT: root, AS: who.prefix.join(' ') },
    extendEnv: false,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}
