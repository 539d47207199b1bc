// Runs two commands in new namespaces from Node: `node examples/sandbox.mjs`, as root or not.
import { CommandFailedError, run } from 'nsrun';

// A new UTS namespace with its own hostname: the host keeps its name.
const box = await run(['hostname'], { flags: 'uts', hostname: 'box' });
console.log(`hostname inside: ${box.stdout} (uts namespace ${box.namespaces.uts}, host pid ${box.pid})`);

// A failing command rejects with a CommandFailedError (an NsrunError) that carries its result, as execa's ExecaError.
try {
  await run(['sh', '-c', 'echo "no such file" >&2; exit 3'], { flags: 'pid,ns' });
} catch (error) {
  if (!(error instanceof CommandFailedError)) throw error;
  console.log(`${error.shortMessage}; stderr: ${error.stderr}`);
}
