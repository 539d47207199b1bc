// An interactive shell in a sandbox behaves like one outside: prompt, Ctrl-C, exit.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { identities, nsrunBin, waitFor } from './harness.js';

describe.each(identities)('an interactive shell on a terminal, as $name', (who) => {
  it('shows its prompt, is interrupted by Ctrl-C in a foreground sleep, and exits with its status', async () => {
    // script(1) gives the sandbox a real terminal; what we write is typed at it. nsrun is executed
    // by script's $SHELL, so it leads the terminal's foreground job as when typed at a shell (a
    // dash -c that forks it leaves it in dash's job, where an interactive sh inside, as under
    // unshare or bwrap, finds no process group to give the terminal back to and exits 2)
    const command = ['exec', ...who.prefix, nsrunBin, '--flags', 'uts,ipc,pid,ns,net,user', '--hostname', 'tty-box', '--', 'sh', '-i'].join(' ');
    const term = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, TERM: 'dumb', SHELL: '/bin/sh' } });
    let screen = '';
    term.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    const exited = new Promise<number | null>((resolve) => term.on('close', (code) => resolve(code)));
    const type = (text: string): void => void term.stdin.write(text);

    await waitFor(() => screen.startsWith('# ')); // root's prompt: uid 0 inside
    type('echo "pid $$ on $(hostname)"\n');
    await waitFor(() => screen.includes('pid 1 on tty-box'));
    type('sleep 100\n');
    await new Promise((r) => setTimeout(r, 300));
    const interruptedAt = Date.now();
    type('\x03');
    type('echo "sleep ended $?"\n');
    await waitFor(() => screen.includes('sleep ended 130'), 3000);
    expect(Date.now() - interruptedAt).toBeLessThan(2000);
    type('exit 7\n');
    expect(await exited).toBe(7);
  });
});
