#!/bin/sh
# Prints what a process sees of the seeds' experiments, one "key<TAB>value" a line.
# Run on the host and inside a sandbox, by scripts/demo.sh.
printf 'hostname\t%s\n' "$(hostname)"
printf 'message queues\t%s\n' "$(ipcs -q | grep -c '^0x')"
printf 'pid of this shell\t%s\n' "$$"
printf 'processes seen\t%s\n' "$(ps -e --no-headers | wc -l)"
printf 'id\t%s\n' "$(id -u -n 2>/dev/null || id -u)($(id -u)) gid $(id -g)"
printf 'network links\t%s\n' "$(ip -o link | awk -F': ' '{printf "%s%s", sep, $2; sep=" "} END {print ""}')"
printf 'lo state\t%s\n' "$(ip -o link show lo | grep -o 'state [A-Z]*' | cut -d' ' -f2) $(ip -o link show lo | grep -q '<[^>]*UP' && echo '(up)' || echo '(down)')"
for ns in uts ipc pid mnt net user cgroup time; do
  printf 'ns %s\t%s\n' "$ns" "$(readlink /proc/self/ns/$ns | tr -dc 0-9)"
done
