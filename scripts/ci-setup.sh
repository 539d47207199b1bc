#!/bin/sh
# Prepares this machine for one make target, checking the programs themselves (a tool that is
# installed but not on PATH counts as missing):
#   test    the system tools the tests drive, and a test user with subordinate id ranges (--map auto)
#   fuzz    clang with its libFuzzer runtime
#   helper  musl-gcc, which links the helper small (gcc -static still works without it)
# As root with apt-get, it installs what is missing, saying so in one line. Otherwise it names in
# one line what is missing and the command that installs it, and fails (for `helper` it only warns).
set -eu
purpose=${1:-test}
test_user=nsrun-test

# each need is TOOL:PACKAGE, the program checked and the Debian package that has it.
# mount: nsrun run --name bind-mounts namespace files with mount(8) as root; util-linux has lsns,
# ipcmk, setpriv and unshare; bsdutils has script(1), the terminal of the terminal tests;
# busybox-static fills the root filesystems of the --rootfs tests (scripts/mkrootfs.sh); zsh and
# fish run the completion tests; man-db renders nsrun(1) in the man page test; tmux drives the terminal tests (several sandboxes on one terminal);
# bubblewrap is the peer the behaviour tests compare with; passt (pasta) and slirp4netns are the
# backends of --network, iperf3 measures them in make bench; curl and python3 run the README's
# network example in a test
case $purpose in
  test) needs="newuidmap:uidmap newgidmap:uidmap ip:iproute2 ps:procps pgrep:procps lsns:util-linux
    setpriv:util-linux unshare:util-linux nsenter:util-linux ipcmk:util-linux script:bsdutils mount:mount
    busybox:busybox-static zsh:zsh fish:fish man:man-db tmux:tmux bwrap:bubblewrap
    pasta:passt slirp4netns:slirp4netns iperf3:iperf3 curl:curl python3:python3" ;;
  fuzz) needs="clang:clang libfuzzer:libclang-rt-dev" ;;
  helper) needs="musl-gcc:musl-tools" ;;
  *) echo "usage: scripts/ci-setup.sh [test|fuzz|helper]" >&2; exit 2 ;;
esac

# has TOOL: whether TOOL is here and usable for what the tests do with it
has() {
  case $1 in
    busybox) path=$(command -v busybox) && ldd "$path" 2>&1 | grep -q 'not a dynamic' ;;
    libfuzzer) command -v clang >/dev/null && [ -e "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")" ] ;;
    *) command -v "$1" >/dev/null ;;
  esac
}

# the packages of the needs that are not met, each once
missing_packages() {
  packages=""
  for need in $needs; do
    has "${need%%:*}" || case " $packages " in *" ${need#*:} "*) ;; *) packages="$packages ${need#*:}" ;; esac
  done
  echo "${packages# }"
}

# whether the test user exists with subordinate id ranges
has_test_user() {
  id "$test_user" >/dev/null 2>&1 && grep -q "^$test_user:" /etc/subuid 2>/dev/null && grep -q "^$test_user:" /etc/subgid 2>/dev/null
}

packages=$(missing_packages)
user=""
[ "$purpose" = test ] && ! has_test_user && user=$test_user
[ -z "$packages$user" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  what="${packages:+the packages $packages}${packages:+${user:+ and }}${user:+the user $user (useradd $user)}"
  if [ "$purpose" = helper ]; then
    echo "nsrun: musl-gcc not found, so the helper is linked with glibc (gcc -static): about 7 times larger and 5 times the memory while it waits; install musl-tools (sudo apt-get install musl-tools) and run make again" >&2
    exit 0
  fi
  how="sudo scripts/ci-setup.sh $purpose"
  command -v apt-get >/dev/null || how="your package manager"
  echo "nsrun: make $purpose needs $what; install them with: $how" >&2
  exit 1
fi

if [ -n "$packages" ]; then
  echo "nsrun: installing $packages for make $purpose" >&2
  log=$(mktemp)
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  still=$(missing_packages)
  if [ -n "$still" ]; then
    echo "nsrun: installed $still, yet what make $purpose needs of them is still not on PATH ($PATH)" >&2
    exit 1
  fi
fi
if [ -n "$user" ]; then
  # useradd gives a new user ranges in /etc/subuid and /etc/subgid
  echo "nsrun: creating the test user $user" >&2
  id "$user" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$user"
  has_test_user || { echo "nsrun: $user has no ranges in /etc/subuid and /etc/subgid: add them (usermod --add-subuids, --add-subgids)" >&2; exit 1; }
fi
