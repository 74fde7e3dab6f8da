#!/usr/bin/env bash
# Developer entry point (the README's two commands):
#   packaging/dev.sh run  [aurora-node run options]   build and start a lead node from ./aurora-node.yaml
#   packaging/dev.sh test [dotnet test options]       run the whole test suite
# Both first install what a fresh Debian/Ubuntu machine lacks (PostgreSQL server binaries, Redis); test also
# fetches the llama.cpp library (packaging/fetch-llama.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ "${1:-}" = test ]; then
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)        # network-namespace partition tests
    { command -v curl >/dev/null 2>&1 || command -v npm >/dev/null 2>&1; } || missing+=(curl ca-certificates)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)     # fetch-llama.sh checks the tarball's integrity
    command -v node >/dev/null 2>&1 || missing+=(nodejs)         # the npm ollama/openai clients the router tests run
    command -v npm >/dev/null 2>&1 || missing+=(npm)
  fi
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "dev.sh: please install: ${missing[*]} (PostgreSQL server binaries and redis-server)" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "dev.sh: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts system-wide servers from these packages where systemd runs; the node runs its own.
  for svc in redis-server redis-sentinel postgresql; do
    $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
}

case "${1:-}" in
  run)
    shift
    need_packages run
    dotnet build src/AuroraNode/AuroraNode.csproj -c Release -nologo -v quiet
    exec dotnet src/AuroraNode/bin/Release/net10.0/aurora-node.dll run --config aurora-node.yaml "$@"
    ;;
  test)
    shift
    need_packages test
    packaging/fetch-llama.sh                                    # the llama.cpp library the router tests load
    npm ci --no-audit --no-fund --prefix tests/clients >/dev/null  # pinned ollama and openai clients (the tests also run it when missing)
    exec dotnet test AuroraNode.sln -c Release -nologo "$@"
    ;;
  *)
    echo "usage: packaging/dev.sh run|test [options]" >&2
    exit 2
    ;;
esac
