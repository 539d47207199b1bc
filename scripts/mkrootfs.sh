#!/bin/sh
# Builds a small root filesystem for `nsrun --rootfs DIR`, from this machine
# alone (no network): busybox-static when it is installed, otherwise the host's
# own programs and the shared libraries ldd lists for them.
#
#   scripts/mkrootfs.sh [--from-host] DIR
#
# DIR is made anew; an existing DIR is replaced only if an earlier run made it.
set -eu

MARKER=etc/nsrun-rootfs
HOST_PROGRAMS="sh ls cat echo ps mount umount id hostname ip mkdir rm touch stat grep readlink sleep env uname test true false wc getent"

usage() {
  echo "usage: $0 [--from-host] DIR" >&2
  exit 2
}

from_host=false
if [ "${1:-}" = "--from-host" ]; then
  from_host=true
  shift
fi
[ $# -eq 1 ] && [ -n "$1" ] || usage
dir=$1

if [ -e "$dir" ]; then
  if [ ! -f "$dir/$MARKER" ]; then
    echo "$0: $dir exists and was not made by $0; refusing to replace it" >&2
    exit 1
  fi
  rm -rf "$dir"
fi

# a statically linked busybox needs nothing else (Debian's busybox-static)
busybox=""
if [ "$from_host" = false ] && path=$(command -v busybox) && ldd "$path" 2>&1 | grep -q 'not a dynamic'; then
  busybox=$path
fi

mkdir -p "$dir"
cd "$dir"
mkdir -p bin etc proc sys dev tmp root mnt home
chmod 1777 tmp
chmod 0700 root

# Copies a host file (following links) to the same path under the rootfs.
copy_file() {
  mkdir -p ".$(dirname "$1")"
  cp -L "$1" ".$1"
}

# The host's program by that name: the first executable file in a directory of
# PATH or the usual ones, never a shell builtin (which `command -v` would name).
find_program() {
  saved_ifs=$IFS
  IFS=:
  for d in $PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; do
    case "$d" in
      /*) ;;
      *) continue ;; # a relative entry would depend on where this runs
    esac
    if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then
      IFS=$saved_ifs
      printf '%s\n' "$d/$1"
      return 0
    fi
  done
  IFS=$saved_ifs
  return 1
}

if [ -n "$busybox" ]; then
  cp "$busybox" bin/busybox
  for applet in $(bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "bin/$applet"
  done
  made_from="busybox-static"
else
  for program in $HOST_PROGRAMS; do
    if ! path=$(find_program "$program"); then
      echo "$0: $program is not installed here; the rootfs has none" >&2
      continue
    fi
    cp -L "$path" "bin/$program"
    # the libraries and the dynamic loader, at the paths the program asks for
    for lib in $(ldd "$path" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
      [ -e ".$lib" ] || copy_file "$lib"
    done
  done
  made_from="the host's programs"
fi
ln -s bin sbin
mkdir -p usr
ln -s ../bin usr/bin
ln -s ../bin usr/sbin

cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat > etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
cat > etc/nsswitch.conf <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
echo nsrun > etc/hostname
echo "a root filesystem for nsrun, made by scripts/mkrootfs.sh from $made_from" > "$MARKER"
chmod -R a+rX .
echo "made $dir from $made_from"
