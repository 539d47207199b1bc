// --network and --publish end to end, as root and unprivileged, each case in an outer network of
// its own (network/outer.ts) with the test's own servers: no packet leaves it.
import { describe, expect, it } from 'vitest';
import { identities, type Identity } from './harness.js';
import { inOuterNetwork, OUTER } from './network/outer.js';

const BACKENDS = ['pasta', 'slirp4netns'] as const;

/** Where each backend's gateway address leads to the outer loopback, when it is let through. */
const LOOPBACK_VIA: Readonly<Record<(typeof BACKENDS)[number], string>> = { pasta: OUTER.gateway, slirp4netns: '10.0.2.2' };

/** A script that runs the client in a sandbox: `sandbox pasta tcp HOST PORT`. */
const SANDBOX = 'sandbox() { b=$1; shift; $AS "$NSRUN" --network "$b" "$@"; }';

/** Waits until the file $1 says "serving" (a published sandbox server is up), at most 10 s. */
const SERVING = 'serving() { i=0; until grep -q serving "$1" 2>/dev/null || [ $i -ge 500 ]; do sleep 0.02; i=$((i+1)); done; }';

describe.each(identities)('--network as $name', (who: Identity) => {
  describe.each(BACKENDS)('%s', (backend) => {
    it('reaches the outer servers over TCP and UDP, and resolves names through its own resolv.conf', async () => {
      const r = await inOuterNetwork(
        `${SANDBOX}
        sandbox ${backend} -- sh -c '"$NODE" "$CLIENT" tcp ${OUTER.server} 8080; "$NODE" "$CLIENT" udp ${OUTER.server} 8080; "$NODE" "$CLIENT" dns files.example.test; cat /etc/resolv.conf'
        echo "exit $?"; grep -c nameserver /etc/resolv.conf`,
        who,
      );
      expect(r.stderr).toBe('');
      const lines = r.stdout.split('\n');
      expect(lines.slice(0, 3)).toEqual(['tcp ping-tcp', 'udp ping-udp', `dns ${OUTER.server}`]);
      // the backend's resolver, the outer search domain kept; the outer file (127.0.0.53) unchanged
      expect(lines[3]).toMatch(/^nameserver (169\.254\.1\.1|10\.0\.2\.3)$/);
      expect(lines[4]).toBe('search example.test');
      expect(lines.slice(5)).toEqual(['exit 0', '1']);
    });

    it("does not reach the outer loopback unless --host-loopback asks for it", async () => {
      const r = await inOuterNetwork(
        `${SANDBOX}
        sandbox ${backend} -- "$NODE" "$CLIENT" tcp ${LOOPBACK_VIA[backend]} 8088
        sandbox ${backend} -- "$NODE" "$CLIENT" tcp 127.0.0.1 8088
        sandbox ${backend} --host-loopback -- "$NODE" "$CLIENT" tcp ${LOOPBACK_VIA[backend]} 8088`,
        who,
      );
      const [viaGateway, ownLoopback, allowed] = r.stdout.split('\n');
      expect(viaGateway).not.toBe('tcp outer-loopback');
      expect(ownLoopback).toBe('tcp ECONNREFUSED');
      expect(allowed).toBe('tcp outer-loopback');
    });

    it('leaves no backend behind when nsrun is killed with SIGKILL at any moment of the set-up', async () => {
      const r = await inOuterNetwork(
        `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
          $AS "$NSRUN" --network ${backend} -- sleep 30 & pid=$!
          "$NODE" -e "setTimeout(() => {}, Math.random() * 120)"
          kill -KILL $pid; wait $pid
        done
        i=0; until [ "$("$NODE" "$CLIENT" backends)" = "backends 0" ] || [ $i -ge 100 ]; do sleep 0.02; i=$((i+1)); done
        "$NODE" "$CLIENT" backends`,
        who,
      );
      expect(r.stdout.trim().split('\n').at(-1)).toBe('backends 0');
    });
  });

  it.each(BACKENDS)('publishes TCP and UDP ports with %s, two sandboxes onto the same sandbox port', async (backend) => {
    const r = await inOuterNetwork(
      `${SERVING}
      $AS "$NSRUN" --network ${backend} -p 9001:7000 -p 9001:7001/udp -- "$NODE" "$CLIENT" serve 7000 7001 > /mnt/one & one=$!
      $AS "$NSRUN" --network ${backend} --publish ${OUTER.address}:9002:7000 -- "$NODE" "$CLIENT" serve 7000 7001 > /mnt/two & two=$!
      serving /mnt/one; serving /mnt/two
      "$NODE" "$CLIENT" tcp ${OUTER.address} 9001
      "$NODE" "$CLIENT" udp ${OUTER.server} 9001
      "$NODE" "$CLIENT" tcp ${OUTER.address} 9002
      "$NODE" "$CLIENT" tcp ${OUTER.server} 9002
      kill -KILL $one $two; wait $one $two
      ls /tmp | grep -c nsrun-slirp4netns-`,
      who,
    );
    // the second sandbox's port is published on 203.0.113.1 only; slirp4netns's API sockets are gone
    expect(r.stdout.split('\n').slice(0, 4)).toEqual(['tcp tcp:ping-tcp', 'udp udp:ping-udp', 'tcp tcp:ping-tcp', 'tcp ECONNREFUSED']);
    expect(r.stdout.split('\n').at(-1)).toBe('0');
  });

  it("runs the README's example: fetches from an outer server, serves a published port", async () => {
    const r = await inOuterNetwork(
      `cd /mnt && mkdir site && echo 'served from inside the sandbox' > site/index.html
      $AS "$NSRUN" --network pasta -- curl -s http://${OUTER.server}:8000/
      $AS "$NSRUN" --network pasta -p 8081:80 -- python3 -m http.server -d ./site 80 > /dev/null 2>&1 & server=$!
      i=0; until curl -s http://127.0.0.1:8081/ || [ $i -ge 250 ]; do sleep 0.02; i=$((i+1)); done
      kill $server; wait $server`,
      who,
    );
    expect(r.stdout.split('\n')).toEqual(['hello from the outer server', 'served from inside the sandbox']);
  });

  it.each(BACKENDS)('refuses with %s a published host port that is taken, in one line naming it (125)', async (backend) => {
    const r = await inOuterNetwork(`$AS "$NSRUN" --network ${backend} -p ${OUTER.server}:8080:80 -- true; echo "exit $?"`, who);
    expect(r.stdout).toBe('exit 125');
    expect(r.stderr).toMatch(
      new RegExp(`^nsrun: cannot connect the sandbox's network through ${backend}: .*\\(hint: host port 8080/tcp is already taken in nsrun's network namespace; publish another one\\)\n?$`),
    );
  });

  it('auto falls back to slirp4netns when pasta fails; pasta asked for by name does not', async () => {
    const r = await inOuterNetwork(
      `mkdir /mnt/bin; printf '#!/bin/sh\\necho "pasta: broken on purpose" >&2; exit 1\\n' > /mnt/bin/pasta; chmod 0755 /mnt/bin /mnt/bin/pasta
      PATH=/mnt/bin:$PATH $AS "$NSRUN" --network auto --status-fd 3 -- "$NODE" "$CLIENT" tcp ${OUTER.server} 8080 3>&1 | grep -o 'tcp ping-tcp\\|"backend":"[a-z0-9]*"'
      PATH=/mnt/bin:$PATH $AS "$NSRUN" --network pasta -- true; echo "exit $?"`,
      who,
    );
    expect(r.stdout.split('\n')).toEqual(['"backend":"slirp4netns"', 'tcp ping-tcp', 'exit 125']);
    expect(r.stderr).toBe("nsrun: cannot connect the sandbox's network through pasta: pasta: broken on purpose");
  });

  it('runs the command with its network up: the first packet goes through (no race)', async () => {
    const r = await inOuterNetwork(
      `for b in pasta slirp4netns pasta slirp4netns; do $AS "$NSRUN" --network $b -- "$NODE" "$CLIENT" tcp ${OUTER.server} 8080; done`,
      who,
    );
    expect(r.stdout.split('\n')).toEqual(Array(4).fill('tcp ping-tcp'));
  });

  it('says which backend runs: --dry-run (of --network without a value: auto), the status stream, spawn().ready', async () => {
    const api = `
      const { spawn } = await import(process.argv[1]);
      const s = spawn([process.execPath, process.argv[2], 'tcp', '${OUTER.server}', '8080'], { network: 'auto', buffer: true });
      const ready = await s.ready;
      const result = await s.result;
      console.log(ready.network.backend, ready.network.pid > 0, result.stdout.trim());`;
    const r = await inOuterNetwork(
      `$AS "$NSRUN" --network --dry-run -- true | "$NODE" -e 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>console.log(JSON.parse(t).network.backend))'
      $AS "$NSRUN" --network slirp4netns --status-fd 1 -- true | grep -o '"network":{[^}]*}' | sed 's/"pid":[0-9]*/"pid":N/'
      $AS "$NODE" --input-type=module -e "${api.replace(/\n\s*/g, ' ')}" "$ROOT/dist/index.js" "$CLIENT"`,
      who,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['pasta', '"network":{"backend":"slirp4netns","pid":N}', 'pasta true tcp ping-tcp']);
  });
});

/** Prints an expression of each kept sandbox whose name starts with $1 (as \`s\`), from \`ps --json\` on stdin: node -e "$MINE" PREFIX EXPR. */
const MINE = 'let t="";process.stdin.on("data",d=>t+=d).on("end",()=>{for(const s of JSON.parse(t).sandboxes)if(s.name.startsWith(process.argv[1]))console.log(eval(process.argv[2]))})';

/** Waits until the outer namespace has $1 live backends, at most 2 s, then prints how many. */
const BACKENDS_LEFT = 'backends() { i=0; until [ "$("$NODE" "$CLIENT" backends)" = "backends $1" ] || [ $i -ge 100 ]; do sleep 0.02; i=$((i+1)); done; "$NODE" "$CLIENT" backends; }';

describe.each(identities)('--network with run --name as $name', (who: Identity) => {
  describe.each(BACKENDS)('%s', (backend) => {
    it('keeps its backend as long as the sandbox: exec has the network, ps names it, rm and the holder\'s death end it', async () => {
      const name = `netkeep-${process.pid}-${who.uid}`;
      const r = await inOuterNetwork(
        `MINE='${MINE}'
        ${BACKENDS_LEFT}
        $AS "$NSRUN" run --name ${name} --network ${backend} -- "$NODE" "$CLIENT" tcp ${OUTER.server} 8080
        $AS "$NSRUN" exec --name ${name} -- "$NODE" "$CLIENT" tcp ${OUTER.server} 8080
        $AS "$NSRUN" exec --name ${name} -- "$NODE" "$CLIENT" dns files.example.test
        $AS "$NSRUN" ps --json | "$NODE" -e "$MINE" ${name} 's.network.backend+" "+(s.network.pid>0)'
        $AS "$NSRUN" ps | sed -n 's/^${name} .* \\(${backend} [0-9]*\\) .*/\\1/p' | sed 's/[0-9]*$/N/'
        backends 1
        $AS "$NSRUN" rm ${name}; echo "rm $?"
        backends 0
        $AS "$NSRUN" run --name ${name} --network ${backend} -- true
        backends 1
        kill -KILL "$($AS "$NSRUN" ps --json | "$NODE" -e "$MINE" ${name} s.holder)"
        backends 0
        $AS "$NSRUN" rm ${name}; echo "rm $?"`,
        who,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')).toEqual([
        'tcp ping-tcp',
        'tcp ping-tcp',
        `dns ${OUTER.server}`,
        `${backend} true`,
        `${backend} N`,
        'backends 1',
        'rm 0',
        'backends 0',
        'backends 1',
        'backends 0',
        'rm 0',
      ]);
    });

    it('leaves no backend but those of the sandboxes it kept when nsrun is killed with SIGKILL at any moment of the set-up', async () => {
      const prefix = `netkill-${process.pid}-${who.uid}-`;
      const r = await inOuterNetwork(
        `MINE='${MINE}'
        ${BACKENDS_LEFT}
        for i in 1 2 3 4 5 6 7 8 9 10; do
          $AS "$NSRUN" run --name ${prefix}$i --network ${backend} -- true & pid=$!
          "$NODE" -e "setTimeout(() => {}, Math.random() * 150)"
          kill -KILL $pid; wait $pid
        done
        sleep 0.2
        kept=$($AS "$NSRUN" ps --json | "$NODE" -e "$MINE" ${prefix} '!!(s.running && s.network)' | grep -c true)
        backends "$kept" | sed "s/ $kept\\$/ kept/"
        for name in $($AS "$NSRUN" ps -q | grep '^${prefix}'); do $AS "$NSRUN" rm $name; done
        backends 0`,
        who,
      );
      expect(r.stdout.split('\n')).toEqual(['backends kept', 'backends 0']);
    });
  });
});

describe.each(identities)('a network of nsrun network create reaching out, as $name', (who: Identity) => {
  it("lets its sandboxes fetch from the outer server and resolve names (rootless: through its hub's slirp4netns); network rm leaves no backend", async () => {
    const name = `o${process.pid.toString(36)}${who.uid === 0 ? "r" : "u"}`;
    const r = await inOuterNetwork(
      `${BACKENDS_LEFT}
      $AS "$NSRUN" network create ${name} > /dev/null; echo "create $?"
      backends ${who.uid === 0 ? 0 : 1}
      $AS "$NSRUN" --network ${name} -- sh -c '"$NODE" "$CLIENT" tcp ${OUTER.server} 8080; "$NODE" "$CLIENT" udp ${OUTER.server} 8080; "$NODE" "$CLIENT" dns files.example.test'
      $AS "$NSRUN" network rm ${name}; echo "rm $?"
      backends 0`,
      who,
    );
    expect(r.stderr).toBe('');
    // as root the bridge is in nsrun's own namespace: out through its routing, the outer resolver as it is
    const dns = who.uid === 0 ? 'dns ECONNREFUSED' : `dns ${OUTER.server}`;
    expect(r.stdout.split('\n')).toEqual(['create 0', `backends ${who.uid === 0 ? 0 : 1}`, 'tcp ping-tcp', 'udp ping-udp', dns, 'rm 0', 'backends 0']);
  });
});

describe.each(identities)('--network sandbox:NAME as $name', (who: Identity) => {
  it("shares a kept sandbox's network: a server on its lo is reached from another sandbox, not from a third", async () => {
    const name = `nettest-${process.pid}-${who.uid}`;
    const r = await inOuterNetwork(
      `${SERVING}
      $AS "$NSRUN" run --name ${name} --flags net,uts -- true
      $AS "$NSRUN" --network sandbox:${name} -- "$NODE" "$CLIENT" serve 7000 7001 > /mnt/server & server=$!
      serving /mnt/server
      $AS "$NSRUN" --network sandbox:${name} -- "$NODE" "$CLIENT" tcp 127.0.0.1 7000
      $AS "$NSRUN" --network none -- "$NODE" "$CLIENT" tcp 127.0.0.1 7000
      { kill -KILL $server; wait $server; } 2>/dev/null
      $AS "$NSRUN" rm ${name}
      $AS "$NSRUN" --network sandbox:${name} -- true; echo "exit $?"`,
      who,
    );
    expect(r.stdout.split('\n')).toEqual(['tcp tcp:ping-tcp', 'tcp ECONNREFUSED', 'exit 2']);
    expect(r.stderr).toBe(`nsrun: no sandbox named '${name}' (see nsrun ps)`);
  });
});

describe.each(identities)('--network from the API, as $name', (who: Identity) => {
  it('run() reaches out through each mode, a network of nsrun network create and sandbox:NAME; spawn() serves a published port', async () => {
    const name = `a${process.pid.toString(36)}${who.uid === 0 ? 'r' : 'u'}`;
    const r = await inOuterNetwork(
      `$AS "$NSRUN" network create ${name} > /dev/null
      $AS "$NSRUN" run --name ${name}-k --network pasta -- true
      $AS "$NODE" "$(dirname "$CLIENT")/api.mjs" ${name} ${name}-k
      $AS "$NSRUN" rm ${name}-k; $AS "$NSRUN" network rm ${name}`,
      who,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'pasta tcp ping-tcp 0',
      'slirp4netns tcp ping-tcp 0',
      'NETWORK tcp ping-tcp 0',
      'sandbox:KEPT tcp ping-tcp 0',
      'pasta published tcp:ping',
      'slirp4netns published tcp:ping',
    ]);
  });
});

describe('--network without /dev/net/tun access', () => {
  it.each(BACKENDS)('%s fails as a setup error (125) in one line saying how to fix it', async (backend) => {
    const who = identities[1] as Identity;
    const r = await inOuterNetwork(`umount /dev/net/tun; chmod 0600 /mnt/tun; $AS "$NSRUN" --network ${backend} -- true; echo "exit $?"`, who);
    expect(r.stdout).toBe('exit 125');
    expect(r.stderr).toMatch(/^nsrun: cannot connect the sandbox's network through \S+: .*tun.*\(hint: the backend must open \/dev\/net\/tun, which uid 65534 may not; .*chmod 0666 \/dev\/net\/tun.*\)$/);
  });

  it('a rootless network create makes a network that its sandboxes talk over, reaching no further, and says why in one warning line', async () => {
    const who = identities[1] as Identity;
    const name = `t${process.pid.toString(36)}u`;
    const r = await inOuterNetwork(
      `umount /dev/net/tun
      $AS "$NSRUN" network create ${name} > /dev/null; echo "create $?"
      $AS "$NSRUN" run --name ${name}-s --network ${name} -- "$NODE" "$CLIENT" serve 7000 7001 > /mnt/server & server=$!
      until grep -q serving /mnt/server; do sleep 0.02; done
      $AS "$NSRUN" --network ${name} -- sh -c '"$NODE" "$CLIENT" tcp ${name}-s 7000; "$NODE" "$CLIENT" tcp ${OUTER.server} 8080'
      kill $server; wait $server; $AS "$NSRUN" rm ${name}-s
      $AS "$NSRUN" network rm ${name}; echo "rm $?"`,
      who,
    );
    expect(r.stderr).toBe(`nsrun: warning: network ${name} reaches no further than its sandboxes: uid 65534 cannot open /dev/net/tun (as root: chmod 0666 /dev/net/tun, the mode most distributions ship)`);
    expect(r.stdout.split('\n')).toEqual(['create 0', 'tcp tcp:ping-tcp', 'tcp timeout', 'rm 0']);
  });
});

describe('--network none and host', () => {
  it.each(identities)('none has only lo, host the outer interfaces, as $name', async (who) => {
    const r = await inOuterNetwork(
      `$AS "$NSRUN" --network none -- ls /sys/class/net
      $AS "$NSRUN" --network host -- "$NODE" "$CLIENT" tcp ${OUTER.server} 8080
      $AS "$NSRUN" --flags pid --network none -- sed -n 's/^ *\\([a-z0-9-]*\\):.*/\\1/p' /proc/net/dev`,
      who,
    );
    expect(r.stdout.split('\n')).toEqual(['lo', 'tcp ping-tcp', 'lo']);
  });
});

