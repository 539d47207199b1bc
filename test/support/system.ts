import type { SystemContext } from '../../src/system.js';

/** What a fake system differs in: its ids, its files and the programs it can execute. */
export interface FakeSystem extends Partial<Omit<SystemContext, 'readFile' | 'isExecutable'>> {
  readonly files?: Readonly<Record<string, string>>;
  readonly executables?: readonly string[];
}

/** A system with the given facts; by default root, in /srv/project, with a tiny environment. */
export function fakeSystem(fake: FakeSystem = {}): SystemContext {
  const { files = {}, executables = [], ...facts } = fake;
  return {
    euid: 0,
    egid: 0,
    cwd: '/srv/project',
    env: { PATH: '/usr/local/bin:/usr/bin', HOME: '/root' },
    readFile: (path) => files[path],
    isExecutable: (path) => executables.includes(path),
    ...facts,
  };
}

/** An unprivileged caller, uid 1000 and gid 1000, named alice in /etc/passwd. */
export const ALICE: FakeSystem = {
  euid: 1000,
  egid: 1000,
  files: { '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n' },
};
