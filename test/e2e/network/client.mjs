// What a sandbox of the network tests does, one line of output each:
//   tcp HOST PORT   sends "ping-tcp" and prints the echo ("tcp ping-tcp"), or "tcp ERRORCODE"
//   udp HOST PORT   sends "ping-udp" and prints the echo, or "udp timeout"
//   dns NAME        resolves NAME through the resolver of /etc/resolv.conf: "dns ADDRESS" or "dns ERRORCODE"
//   serve TCP UDP   answers "tcp:<what came>" on TCP port TCP and "udp:<what came>" on UDP port UDP, once "serving" is printed
//   backends        counts the live (not zombie) pasta and slirp4netns processes this /proc shows (pasta runs as passt or passt.avx2)
import dgram from 'node:dgram';
import dns from 'node:dns';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

const [what, a, b] = process.argv.slice(2);
const done = (line) => {
  console.log(line);
  process.exit(0);
};
if (what !== 'serve') setTimeout(() => done(`${what} timeout`), 3000).unref();
if (what === 'tcp') {
  const socket = net.connect(Number(b), a, () => socket.write('ping-tcp'));
  socket.on('data', (data) => done(`tcp ${data}`));
  socket.on('error', (error) => done(`tcp ${error.code}`));
} else if (what === 'udp') {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (data) => done(`udp ${data}`));
  socket.send('ping-udp', Number(b), a);
} else if (what === 'dns') {
  dns.resolve4(a, (error, addresses) => done(`dns ${error?.code ?? addresses.join(',')}`));
} else if (what === 'serve') {
  let ready = 0;
  const up = () => ++ready === 2 && console.log('serving');
  net.createServer((s) => s.once('data', (data) => s.end(`tcp:${data}`))).listen(Number(a), up);
  const udp = dgram.createSocket('udp4');
  udp.on('message', (data, from) => udp.send(`udp:${data}`, from.port, from.address));
  udp.bind(Number(b), up);
} else if (what === 'backends') {
  const live = readdirSync('/proc').filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return /^\d+ \(((?:pasta|passt)(?:\.avx2)?|slirp4netns)\) [^Z]/.test(stat);
    } catch {
      return false;
    }
  });
  done(`backends ${live.length}`);
} else {
  done(`unknown ${what}`);
}
