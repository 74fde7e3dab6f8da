#!/usr/bin/env bash
# Installs aurora-node as a service (systemd on Linux, launchd on macOS).
# Run from a checkout of the repository; see packaging/README.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: packaging/install.sh [options]
  --binary PATH             a published aurora-node (default: build one with packaging/publish.sh for this machine)
  --name NAME               node.name for a new config (default: this host's name)
  --role ROLE               node.roles for a new config: lead | backup | compute | edge (default: lead)
  --advertise-address IP    node.advertise_address for a new config (default: 127.0.0.1)
  --redis-url URL           redis.url for a new compute or edge config: the mesh's Redis (redis://:PASSWORD@HOST:PORT)
  --no-service              install binary and config only
  --no-start                install and enable the service without starting it
  --destdir DIR             install under DIR instead of / (for packaging and tests; implies --no-service)
  --uninstall               stop and remove the service and the binary (config and data are kept)
  --purge                   with --uninstall: also remove /etc/aurora-node and /var/lib/aurora-node
  -h, --help                this text
An existing /etc/aurora-node/aurora-node.yaml is never overwritten.
USAGE
}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
binary="" name="$(hostname -s 2>/dev/null || hostname)" role=lead advertise=127.0.0.1 redis_url=""
service=yes start=yes destdir="" uninstall=no purge=no

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --role) role=$2; shift 2 ;;
    --advertise-address) advertise=$2; shift 2 ;;
    --redis-url) redis_url=$2; shift 2 ;;
    --no-service) service=no; shift ;;
    --no-start) start=no; shift ;;
    --destdir) destdir=$2; service=no; shift 2 ;;
    --uninstall) uninstall=yes; shift ;;
    --purge) purge=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

case "$role" in lead|backup|compute|edge) ;; *) echo "install.sh: --role must be lead, backup, compute or edge" >&2; exit 2 ;; esac

os=$(uname -s)
bin_path="$destdir/usr/local/bin/aurora-node"
etc_dir="$destdir/etc/aurora-node"
config="$etc_dir/aurora-node.yaml"
data_dir="$destdir/var/lib/aurora-node"
unit="/etc/systemd/system/aurora-node.service"
plist="/Library/LaunchDaemons/com.aurora.node.plist"

say() { echo "install.sh: $*"; }

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (sudo), or use --destdir" >&2
  exit 1
fi

stop_service() {
  if [ "$os" = Linux ] && command -v systemctl >/dev/null 2>&1 && [ -f "$unit" ]; then
    systemctl disable --now aurora-node >/dev/null 2>&1 || true
    rm -f "$unit"
    systemctl daemon-reload || true
  elif [ "$os" = Darwin ] && [ -f "$plist" ]; then
    launchctl bootout system "$plist" 2>/dev/null || true
    rm -f "$plist"
  fi
}

if [ "$uninstall" = yes ]; then
  [ -n "$destdir" ] || stop_service
  rm -f "$bin_path"
  say "removed the service and $bin_path"
  if [ "$purge" = yes ]; then
    rm -rf "$etc_dir" "$data_dir"
    say "removed $etc_dir and $data_dir"
  else
    say "kept $etc_dir and $data_dir (use --purge to remove them)"
  fi
  exit 0
fi

# 1. What the node runs: PostgreSQL server binaries and redis-server.
installed_pkgs=()
if [ "$os" = Linux ]; then
  missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ -n "$destdir" ]; then
      say "note: this machine lacks ${missing[*]} (not installed with --destdir)"
    elif command -v apt-get >/dev/null 2>&1; then
      say "installing ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
      installed_pkgs=("${missing[@]}")
    else
      echo "install.sh: install ${missing[*]} with your package manager first" >&2
      exit 1
    fi
  fi
  # The node runs its own servers; system-wide ones that these packages just started would only take memory.
  for pkg in "${installed_pkgs[@]}"; do
    case "$pkg" in
      postgresql) systemctl disable --now postgresql >/dev/null 2>&1 || true ;;
      redis-server) systemctl disable --now redis-server >/dev/null 2>&1 || true ;;
    esac
  done
elif [ "$os" = Darwin ]; then
  command -v redis-server >/dev/null 2>&1 && ls /opt/homebrew/opt/postgresql@*/bin/initdb >/dev/null 2>&1 \
    || say "note: install the servers with: brew install postgresql@16 redis"
fi

# 2. The binary.
if [ -z "$binary" ]; then
  case "$os-$(uname -m)" in
    Linux-x86_64) rid=linux-x64 ;;
    Linux-aarch64) rid=linux-arm64 ;;
    Darwin-arm64) rid=osx-arm64 ;;
    *) echo "install.sh: no release build for $os $(uname -m); pass --binary" >&2; exit 1 ;;
  esac
  "$here/publish.sh" "$rid"
  binary="$repo/artifacts/$rid/aurora-node"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }
install -d "$(dirname "$bin_path")"
install -m 0755 "$binary" "$bin_path.new"
mv -f "$bin_path.new" "$bin_path"
say "installed $bin_path ($("$bin_path" version))"

# 3. The config, never overwritten.
install -d -m 0755 "$etc_dir"
install -d -m 0711 "$data_dir"
if [ -f "$config" ]; then
  say "kept the existing $config"
else
  sed -e "s|^  name: .*|  name: $name|" \
      -e "s|^  roles: .*|  roles: [$role]|" \
      -e "s|^  data_dir: .*|  data_dir: /var/lib/aurora-node|" \
      -e "s|^  advertise_address: .*|  advertise_address: $advertise|" \
      "$repo/aurora-node.yaml" > "$config.new"
  if [ -n "$destdir" ]; then
    sed -i.bak "s|^  data_dir: .*|  data_dir: $data_dir|" "$config.new" && rm -f "$config.new.bak"
  fi
  if [ -n "$redis_url" ]; then
    sed -i.bak "s|^  # url: .*|  url: $redis_url|" "$config.new" && rm -f "$config.new.bak"
  fi
  mv "$config.new" "$config"
  chmod 0644 "$config"
  say "wrote $config"
fi

if ! "$bin_path" config check --config "$config"; then
  echo "install.sh: fix $config (see above), then run this again" >&2
  exit 1
fi

# 4. The service.
if [ "$service" = no ]; then
  say "done (no service installed); start it with: $bin_path run --config $config"
  exit 0
fi
if [ "$os" = Linux ]; then
  install -m 0644 "$here/aurora-node.service" "$unit"
  systemctl daemon-reload
  systemctl enable aurora-node >/dev/null
  [ "$start" = yes ] && systemctl restart aurora-node
elif [ "$os" = Darwin ]; then
  install -d /var/log/aurora-node
  install -m 0644 "$here/com.aurora.node.plist" "$plist"
  launchctl bootout system "$plist" 2>/dev/null || true
  [ "$start" = yes ] && launchctl bootstrap system "$plist"
fi

if [ "$start" = yes ]; then
  for _ in $(seq 60); do
    if "$bin_path" status --config "$config" >/dev/null 2>&1; then
      "$bin_path" status --config "$config"
      say "aurora-node is running"
      exit 0
    fi
    sleep 1
  done
  echo "install.sh: the node did not become ready within 60 s; see: journalctl -u aurora-node (Linux) or /var/log/aurora-node (macOS)" >&2
  exit 1
fi
say "installed and enabled; start it with: systemctl start aurora-node"
