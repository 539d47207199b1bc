#!/bin/sh
# Two sandboxes on one network talk by name (the end of `make demo`). As root it runs in a
# network namespace of its own (demo.sh starts it with unshare --net): this machine's
# interfaces are never touched; as any other user the network's bridge is in a hub of its own.
set -eu
cd "$(dirname "$0")/.."
net=demo$(($$ % 1000000))
node=$(command -v node)
nsrun=bin/nsrun
server="require('net').createServer((c) => c.end('hello from ' + require('os').hostname() + ', ' + process.argv[1] + '\n')).listen(8080)"
client="const s = require('net').connect(8080, process.argv[1]); s.on('data', (d) => process.stdout.write(d)); s.on('error', () => process.exit(3))"

$nsrun network create "$net" --subnet 10.89.200.0/24 >/dev/null
trap '$nsrun rm "$net-web" >/dev/null 2>&1 || :; $nsrun network rm --force "$net" >/dev/null 2>&1 || :' EXIT
$nsrun run --name "$net-web" --hostname web --network "$net" -- "$node" -e "$server" "$(id -un) inside" >/dev/null 2>&1 &
answer=
for _ in $(seq 100); do
  answer=$($nsrun --hostname client --network "$net" -- "$node" -e "$client" "$net-web") && break
  sleep 0.1
done
echo "  nsrun network create $net --subnet 10.89.200.0/24"
echo "  nsrun run --name $net-web --network $net -- node (a server on port 8080)"
echo "  nsrun --network $net -- node (a client of $net-web:8080):"
echo "    $answer"
echo "  the client's /etc/hosts: $($nsrun --network "$net" -- grep "$net-web" /etc/hosts | tr '\t' ' ')"
echo "  nsrun network ls:"
$nsrun network ls | sed 's/^/    /'
