#!/bin/sh
# The isolation tour of the seeds, host beside sandbox: `make demo`.
set -eu
cd "$(dirname "$0")/.."
flags=uts,ipc,pid,ns,net,user
tour=scripts/tour.sh

queue=$(ipcmk -Q | grep -o '[0-9]*$')   # a message queue on the host, as the seeds make one
trap 'ipcrm -q "$queue"' EXIT

host=$(mktemp) box=$(mktemp) rootless=$(mktemp)
trap 'ipcrm -q "$queue"; rm -f "$host" "$box" "$rootless"' EXIT
sh "$tour" >"$host"
bin/nsrun --flags "$flags" --hostname nsrun-demo -- sh "$tour" >"$box"
columns="host|nsrun --flags $flags"
files="$host $box"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  setpriv --reuid=65534 --regid=65534 --clear-groups bin/nsrun --flags "$flags" --hostname nsrun-demo -- sh "$tour" >"$rootless"
  columns="$columns|same, as uid 65534"
  files="$files $rootless"
fi

echo "nsrun: the seeds' namespace experiments, on the host and in a sandbox"
echo "(a message queue was made on the host with ipcmk -Q; the sandbox must not see it)"
echo
awk -F'\t' -v columns="$columns" '
  FNR == 1 { file++ }
  { key[FNR] = $1; value[file, FNR] = $2; if (FNR > rows) rows = FNR }
  END {
    n = split(columns, head, "|")
    printf "%-18s", ""; for (f = 1; f <= n; f++) printf "  %-26s", head[f]; print ""
    for (r = 1; r <= rows; r++) {
      printf "%-18s", key[r]
      for (f = 1; f <= n; f++) {
        v = value[f, r]
        mark = (f > 1 && v != value[1, r]) ? "*" : " "
        printf " %s%-26s", mark, v
      }
      print ""
    }
    print ""
    print "* differs from the host: that is the namespace at work."
  }' $files

echo
echo "nsrun network: two sandboxes on one network, talking by name"
if [ "$(id -u)" = 0 ]; then
  unshare --net sh scripts/network-demo.sh
  if command -v setpriv >/dev/null; then
    echo "the same as uid 65534, its bridge in a hub of its own:"
    unshare --net setpriv --reuid=65534 --regid=65534 --clear-groups sh scripts/network-demo.sh
  fi
else
  sh scripts/network-demo.sh
fi
