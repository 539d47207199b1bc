#!/bin/sh
# make bench, the network part: what --network pasta and slirp4netns add to a run's set-up beside
# the bare backends' own ready times, and TCP throughput (iperf3) through them beside the
# backend run by hand and loopback. It runs in an outer network namespace of its own (lo and a
# veth pair whose two ends both stay inside, as the tests make it), so no packet leaves it.
# Prints one line per figure, and exits 1 when a target of BENCHMARKS.md is missed.
# BENCH_SETUP=0 leaves out the set-up rounds (the throughput part alone).
set -eu
if [ "${NSRUN_BENCH_OUTER:-}" != 1 ]; then
  exec env NSRUN_BENCH_OUTER=1 unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private "$0" "$@"
fi
root=$(cd "$(dirname "$0")/.." && pwd)
nsrun="$root/bin/nsrun"
runs=${BENCH_RUNS:-30}
seconds=${BENCH_SECONDS:-3}
ip link set lo up
ip link add bench-out type veth peer name bench-srv
ip addr add 203.0.113.1/24 dev bench-out
ip addr add 198.51.100.2/24 dev bench-srv
ip link set bench-out up
ip link set bench-srv up
ip route add default via 203.0.113.254
mount -t tmpfs -o mode=0755 nsrun-bench /mnt

# the median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# the ready time in ms of a backend (as root, as nsrun runs it) run by hand on a fresh namespace: until its default route
bare_ready() {
  unshare --user --map-root-user --net sleep 30 & holder=$!
  sleep 0.05
  start=$(date +%s%N)
  case $1 in
    pasta) pasta --config-net -f -q -t none -u none -T none -U none --netns /proc/$holder/ns/net --userns /proc/$holder/ns/user --runas 0 >/dev/null 2>&1 & ;;
    slirp4netns) slirp4netns --configure --mtu=65520 --disable-host-loopback --userns-path=/proc/$holder/ns/user $holder tap0 >/dev/null 2>&1 & ;;
  esac
  backend=$!
  until grep -q '	00000000	' /proc/$holder/net/route 2>/dev/null; do :; done
  end=$(date +%s%N)
  kill $backend $holder; wait $backend $holder 2>/dev/null || true
  echo $(( (end - start) / 1000 ))
}
bare_ms() { for i in $(seq "$runs"); do bare_ready "$1"; done | median | awk '{ printf "%.1f\n", $1 / 1000 }'; }
# Gbit/s of an iperf3 client run as "$@" (its last words: -c HOST -p PORT)
gbits() { "$@" -t "$seconds" -J 2>/dev/null | awk -F: '/"bits_per_second"/ { v = $2 } END { gsub(/[ ,]/, "", v); printf "%.1f\n", v / 1e9 }'; }

# target VALUE OP LIMIT: whether VALUE meets it (le or ge); a miss is recorded in a file, since this runs in $(...)
target() { if awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { exit !(op == "le" ? v <= l : v >= l) }'; then echo ok; else : > /mnt/missed; echo MISSED; fi; }

if [ "${BENCH_SETUP:-1}" = 1 ]; then
# the set-up of a run (from the call until the command is executed, the API's timings.setupMs), the
# modes in alternating rounds so that a machine that slows down meanwhile favours none; and what
# the end of the run costs besides (the backend killed and reaped)
node --input-type=module -e '
  const { run } = await import(process.argv[1]);
  const modes = ["none", "pasta", "slirp4netns"], setup = {}, total = {};
  for (const m of modes) { setup[m] = []; total[m] = []; }
  for (let i = 0; i < Number(process.argv[2]); i++)
    for (const m of modes) {
      const r = await run(["true"], { network: m });
      setup[m].push(r.timings.setupMs);
      total[m].push(r.timings.totalMs);
    }
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  for (const m of modes) console.log(m, median(setup[m]).toFixed(1), (median(total[m]) - median(setup[m])).toFixed(1));
' "$root/dist/index.js" "$runs" > /mnt/setup.txt
none=$(awk '$1 == "none" { print $2 }' /mnt/setup.txt)
echo "set-up of run(['true']), --network none      ${none} ms"
for backend in pasta slirp4netns; do
  with=$(awk -v b=$backend '$1 == b { print $2 }' /mnt/setup.txt)
  after=$(awk -v b=$backend '$1 == b { print $3 }' /mnt/setup.txt)
  bare=$(bare_ms $backend)
  added=$(awk -v a="$with" -v b="$none" 'BEGIN { printf "%.1f", a - b }')
  limit=$([ $backend = pasta ] && echo 40 || echo 15)
  echo "set-up with --network $backend: ${with} ms, +${added} ms over none (target <= ${limit}: $(target "$added" le "$limit")); $backend alone ready in ${bare} ms; the run's end takes ${after} ms"
done
fi

iperf3 -s -B 198.51.100.2 -D -I /mnt/iperf-outer.pid
iperf3 -s -B 127.0.0.1 -p 5202 -D -I /mnt/iperf-lo.pid
sleep 0.3
# pasta by hand on a fresh namespace, as root as nsrun runs it: its tap path to 198.51.100.2 and
# its spliced path (-T 5202: the namespace's 127.0.0.1:5202 is the outer one's)
by_hand() {
  unshare --user --map-root-user --net sleep 60 & holder=$!
  sleep 0.05
  pasta --config-net -f -q -t none -u none -T 5202 -U none --netns /proc/$holder/ns/net --userns /proc/$holder/ns/user --runas 0 >/dev/null 2>&1 & bare=$!
  until grep -q '	00000000	' /proc/$holder/net/route 2>/dev/null; do :; done
  sleep 0.1
  case $1 in
    tap) gbits nsenter -t $holder -U -n --preserve-credentials iperf3 -c 198.51.100.2 ;;
    spliced) gbits nsenter -t $holder -U -n --preserve-credentials iperf3 -c 127.0.0.1 -p 5202 ;;
  esac
  kill $bare $holder; wait $bare $holder 2>/dev/null || true
}
# sandbox -> outer, each way in alternating rounds (pasta's tap path drops segments under load
# and this pasta recovers slowly: one run is a draw, the median of rounds a figure); the
# retransmissions of each nsrun tap run are kept as the evidence
rounds=${BENCH_TCP_ROUNDS:-5}
# pasta forwards the outer loopback's ports it finds listening (-T auto) a moment after the
# network is up: the client waits until 5202 answers inside (3 s at most), then measures
forwarded='i=0; until iperf3 -c 127.0.0.1 -p 5202 -n 1K >/dev/null 2>&1 || [ $i -ge 60 ]; do sleep 0.05; i=$((i+1)); done; exec iperf3 "$@"'

: > /mnt/tcp.txt
for i in $(seq "$rounds"); do
  echo "loopback $(gbits iperf3 -c 127.0.0.1 -p 5202)" >> /mnt/tcp.txt
  for backend in pasta slirp4netns; do echo "$backend $(gbits "$nsrun" --network $backend -- iperf3 -c 198.51.100.2)" >> /mnt/tcp.txt; done
  echo "tap-retransmits $("$nsrun" --network pasta -- iperf3 -c 198.51.100.2 -t "$seconds" -J 2>/dev/null | awk -F: '/"retransmits"/ { v = $2 } END { gsub(/[ ,]/, "", v); print v }')" >> /mnt/tcp.txt
  echo "pasta-hand $(by_hand tap)" >> /mnt/tcp.txt
  echo "spliced $(gbits "$nsrun" --network pasta --host-loopback -- sh -c "$forwarded" sh -c 127.0.0.1 -p 5202)" >> /mnt/tcp.txt
  echo "spliced-hand $(by_hand spliced)" >> /mnt/tcp.txt
done
of() { awk -v k="$1" '$1 == k { print $2 }' /mnt/tcp.txt | median; }
all() { awk -v k="$1" '$1 == k { printf "%s%s", s, $2; s = " " }' /mnt/tcp.txt; }
echo "TCP medians of $rounds alternating rounds of ${seconds} s (iperf3)"
echo "loopback TCP                               $(of loopback) Gbit/s ($(all loopback))"
out=$(of pasta)
echo "sandbox -> outer TCP, pasta (tap)          ${out} Gbit/s ($(all pasta)); pasta by hand $(of pasta-hand) ($(all pasta-hand)); retransmissions per nsrun run: $(all tap-retransmits)"
spliced=$(of spliced)
echo "sandbox -> outer loopback, pasta spliced   ${spliced} Gbit/s ($(all spliced)) (target >= 10: $(target "$spliced" ge 10)); pasta by hand $(of spliced-hand) ($(all spliced-hand))"
echo "sandbox -> outer TCP, slirp4netns          $(of slirp4netns) Gbit/s ($(all slirp4netns))"
unshare --user --map-root-user --net sleep 60 & holder=$!
sleep 0.05
pasta --config-net -f -q -t 5203 -u none -T none -U none --netns /proc/$holder/ns/net --userns /proc/$holder/ns/user --runas 0 >/dev/null 2>&1 & bare=$!
until grep -q '	00000000	' /proc/$holder/net/route 2>/dev/null; do :; done
nsenter -t $holder -U -n --preserve-credentials iperf3 -s -p 5203 -D -I /mnt/iperf-hand.pid
sleep 0.3
inbyhand=$(gbits iperf3 -c 203.0.113.1 -p 5203)
kill $bare $holder; wait $bare $holder 2>/dev/null || true
"$nsrun" --network pasta -p 5204:5201 -- iperf3 -s -1 --forceflush > /mnt/published.log 2>&1 & server=$!
i=0; until grep -q listening /mnt/published.log || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done
published=$(gbits iperf3 -c 203.0.113.1 -p 5204)
kill $server 2>/dev/null || true
echo "outer -> published port, pasta             ${published} Gbit/s (target >= 5: $(target "$published" ge 5)); by hand ${inbyhand} Gbit/s"
[ ! -e /mnt/missed ]
