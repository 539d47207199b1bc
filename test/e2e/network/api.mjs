// The library's side of the network tests: sandboxes made by run() and spawn() of the built
// dist/, one line each:
//   node api.mjs NETWORK KEPT   for --network pasta, slirp4netns, NETWORK (of nsrun network create) and
//                               sandbox:KEPT, "MODE <the client's line> <exit code>"; then for each backend a
//                               server published on a host port, "MODE published <what the outer side got>"
import net from 'node:net';

const { run, spawn } = await import(`${process.env.ROOT}/dist/index.js`);
const [network, kept] = process.argv.slice(2);
const client = (...args) => [process.execPath, process.env.CLIENT, ...args];
const shown = (mode) => (mode === network ? 'NETWORK' : mode.startsWith('sandbox:') ? 'sandbox:KEPT' : mode);

for (const mode of ['pasta', 'slirp4netns', network, `sandbox:${kept}`]) {
  const r = await run(client('tcp', '198.51.100.2', '8080'), { network: mode, reject: false });
  console.log(`${shown(mode)} ${r.stdout} ${r.exitCode}`);
}

/** Sends "ping" to 127.0.0.1:PORT of the outer namespace: what came back, or the error's code. */
const ask = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('ping'));
    let got = '';
    socket.on('data', (data) => (got += data));
    socket.on('end', () => resolve(got));
    socket.on('error', (error) => resolve(error.code));
  });

for (const [mode, port] of [['pasta', 8092], ['slirp4netns', 8093]]) {
  const served = spawn(client('serve', '7000', '7001'), { network: mode, publish: [`${port}:7000`], reject: false });
  let answer = '';
  for (let i = 0; i < 250 && answer !== 'tcp:ping'; i++) {
    answer = await ask(port);
    if (answer !== 'tcp:ping') await new Promise((resolve) => setTimeout(resolve, 20));
  }
  served.kill('SIGKILL');
  await served.result;
  console.log(`${mode} published ${answer}`);
}
