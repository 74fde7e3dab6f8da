#!/usr/bin/env bash
# Release builds of the single-file, self-contained aurora-node.
#   packaging/publish.sh [RID...]     default: linux-x64 linux-arm64 osx-arm64
# Output: artifacts/<rid>/aurora-node, artifacts/aurora-node-<version>-<rid>.tar.gz and its .sha256.
set -euo pipefail
cd "$(dirname "$0")/.."

rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64 osx-arm64)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
failed=()

for rid in "${rids[@]}"; do
  out="artifacts/$rid"
  echo "publish: $rid -> $out"
  if ! dotnet publish src/AuroraNode/AuroraNode.csproj -c Release -r "$rid" --self-contained \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:PublishReadyToRun=false \
      -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out" -nologo -v quiet; then
    echo "publish: $rid FAILED (is its runtime pack available from the package feed?)" >&2
    failed+=("$rid")
    continue
  fi
  tarball="artifacts/aurora-node-$version-$rid.tar.gz"
  tar -C "$out" -czf "$tarball" aurora-node
  (cd artifacts && sha256sum "$(basename "$tarball")" > "$(basename "$tarball").sha256")
  printf 'publish: %s binary %s, tarball %s\n' "$rid" "$(du -h "$out/aurora-node" | cut -f1)" "$(du -h "$tarball" | cut -f1)"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "publish: failed for: ${failed[*]}" >&2
  exit 1
fi
