#!/bin/sh
# Prepares a fresh machine, as root, for `make test`: the system tools the
# tests drive, and a test user with subordinate id ranges for --map auto.
set -eu
# clang needs its runtime libraries (libclang-rt-dev) for libFuzzer and the sanitizers;
# mount: nsrun run --name bind-mounts namespace files with mount(8) as root; util-linux has lsns and ipcmk;
# busybox-static fills the root filesystems of the --rootfs tests (scripts/mkrootfs.sh); zsh runs the zsh completion test
# tmux drives the terminal tests (several sandboxes on one terminal); bubblewrap is the peer the behaviour tests compare with;
# iproute2 sets up the network tests' own namespace; iperf3 measures TCP between sandboxes for make bench
packages="musl-tools uidmap iproute2 procps util-linux bsdutils clang libclang-rt-dev mount busybox-static zsh tmux bubblewrap iperf3"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
# useradd gives a new user ranges in /etc/subuid and /etc/subgid
id nsrun-test >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin nsrun-test
grep -q '^nsrun-test:' /etc/subuid && grep -q '^nsrun-test:' /etc/subgid
