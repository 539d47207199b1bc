// The outer network's servers of the network tests: TCP and UDP echo on 198.51.100.2:8080, a DNS
// responder on 198.51.100.2:53, an HTTP server on 198.51.100.2:8000 (the README's example) and 127.0.0.53:53 (the outer resolver, on loopback as with
// systemd-resolved) answering every A query with 198.51.100.2, and a TCP service on the outer
// loopback, 127.0.0.1:8088, that only --host-loopback may reach. Prints "ready" once listening.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

const SERVER = '198.51.100.2';
const listening = [];
const listen = (server, ...args) => listening.push(new Promise((resolve) => server.listen(...args, resolve)));
const bind = (socket, port, address) => listening.push(new Promise((resolve) => socket.bind(port, address, resolve)));

listen(net.createServer((s) => s.pipe(s)), 8080, SERVER);
listen(net.createServer((s) => s.end('outer-loopback')), 8088, '127.0.0.1');
listen(http.createServer((request, response) => response.end('hello from the outer server\n')), 8000, SERVER);
const udp = dgram.createSocket('udp4');
udp.on('message', (m, from) => udp.send(m, from.port, from.address));
bind(udp, 8080, SERVER);

/** An answer to a DNS query: the question, and one A record 198.51.100.2. */
function answer(query) {
  let end = 12;
  while (query[end] !== 0) end += query[end] + 1;
  end += 5; // the root label, QTYPE, QCLASS
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // a response, recursion available, no error
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 6);
  header.writeUInt32BE(0, 8);
  const record = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 2]);
  return Buffer.concat([header, query.subarray(12, end), record]);
}
for (const address of [SERVER, '127.0.0.53']) {
  const dns = dgram.createSocket('udp4');
  dns.on('message', (m, from) => dns.send(answer(m), from.port, from.address));
  bind(dns, 53, address);
}
await Promise.all(listening);
console.log('ready');
