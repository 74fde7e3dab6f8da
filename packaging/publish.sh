#!/usr/bin/env bash
# Release builds of aurora-node: one single-file, self-contained executable per runtime identifier (RID).
#   packaging/publish.sh [RID...]      default: linux-x64 linux-arm64 osx-arm64
# For each RID that builds:
#   artifacts/<rid>/aurora-node                                the executable (needs no .NET on the target)
#   artifacts/aurora-node-<version>-<rid>.tar.gz               aurora-node-<version>-<rid>/ with the executable,
#                                                              the documented aurora-node.yaml, LICENSE, install.sh,
#                                                              the systemd unit, the launchd plist and packaging/README.md
#   artifacts/aurora-node-<version>-<rid>.tar.gz.sha256        `sha256sum -c` format
# A RID that fails (e.g. its runtime pack cannot be restored from the package feed) is reported and the others
# still build; the exit status is 1 when any failed. Build logs: artifacts/logs/publish-<rid>.log.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: packaging/publish.sh [RID...]
  Builds the single-file, self-contained aurora-node for each RID (default: linux-x64 linux-arm64 osx-arm64)
  into artifacts/<rid>/aurora-node, plus artifacts/aurora-node-<version>-<rid>.tar.gz and its .sha256.
  -h, --help   this text
USAGE
}

for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    -*) echo "publish.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
    *) ;;
  esac
done

cd "$(dirname "$0")/.."
repo=$(pwd)

if ! command -v dotnet >/dev/null 2>&1; then
  echo "publish.sh: the .NET SDK (dotnet) is not on PATH; install the SDK that global.json names, or pass a published binary to install.sh --binary" >&2
  exit 1
fi

rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64 osx-arm64)

project=src/AuroraNode/AuroraNode.csproj
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || version=0.0.0
# Its own obj/ and bin/ (not src/*/obj): a release build never races a developer's build or test run in the same tree.
build_root="$repo/artifacts/build"
logs="$repo/artifacts/logs"
mkdir -p "$logs"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi
}

size_of() { du -h "$1" | cut -f1; }

# The lines of a failed build that say why, with a plain-words reason for the common case.
explain_failure() {
  local log=$1 rid=$2
  if grep -Eq 'NU110[1-2].*(Microsoft\.NETCore\.App\.(Runtime|Host)|Microsoft\.AspNetCore\.App\.Runtime)' "$log"; then
    echo "    the .NET runtime pack for $rid could not be restored from the package feed (NuGet); the feed does not serve it for this .NET version"
  elif grep -Eq 'NU1301|Unable to load the service index' "$log"; then
    echo "    the package feed (NuGet) could not be reached"
  fi
  grep -E ': error [A-Z]+[0-9]+' "$log" | sed -e 's/^ *//' -e 's/ \[[^]]*\]$//' -e "s|$repo/||" | sort -u | head -n 5 | sed 's/^/    /'
}

declare -a ok=() failed=()
summary=()

for rid in "${rids[@]}"; do
  out="artifacts/$rid"
  staging="$build_root/out/$rid"
  log="$logs/publish-$rid.log"
  name="aurora-node-$version-$rid"
  tarball="artifacts/$name.tar.gz"
  echo "publish.sh: $rid: building (log: ${log#"$repo"/})"
  # Nothing stale survives a failed build: an old binary under artifacts/<rid> would look like this build's.
  rm -rf "$out" "$staging" "$tarball" "$tarball.sha256"
  if ! dotnet publish "$project" -c Release -r "$rid" --self-contained \
      --artifacts-path "$build_root" -o "$staging" \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:PublishReadyToRun=true \
      -p:DebugType=none -p:GenerateDocumentationFile=false \
      -nologo -clp:NoSummary >"$log" 2>&1; then
    echo "publish.sh: $rid: FAILED" >&2
    explain_failure "$log" "$rid" >&2
    failed+=("$rid")
    summary+=("$(printf '%-14s FAILED (see %s)' "$rid" "${log#"$repo"/}")")
    continue
  fi

  mkdir -p "$out"
  cp "$staging/aurora-node" "$out/aurora-node"
  chmod 0755 "$out/aurora-node"
  rm -rf "$staging"

  # The tarball is installable on its own: tar xzf ...; sudo ./<name>/install.sh
  dist="$build_root/dist/$name"
  rm -rf "$dist"
  mkdir -p "$dist"
  cp "$out/aurora-node" aurora-node.yaml LICENSE "$dist/"
  cp packaging/install.sh packaging/aurora-node.service packaging/com.aurora.node.plist "$dist/"
  cp packaging/README.md "$dist/README.md"
  tar -C "$build_root/dist" -czf "$tarball" "$name"
  (cd artifacts && sha256 "$name.tar.gz" >"$name.tar.gz.sha256")
  rm -rf "$dist"

  ok+=("$rid")
  summary+=("$(printf '%-14s binary %-6s tarball %-6s %s' "$rid" "$(size_of "$out/aurora-node")" "$(size_of "$tarball")" "$tarball")")
  echo "publish.sh: $rid: ok"
done

echo
echo "publish.sh: aurora-node $version"
printf '  %s\n' "${summary[@]}"

if [ ${#failed[@]} -gt 0 ]; then
  echo "publish.sh: failed for: ${failed[*]} (built: ${ok[*]:-none})" >&2
  exit 1
fi
