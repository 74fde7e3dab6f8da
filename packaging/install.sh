#!/usr/bin/env bash
# Installs aurora-node on this machine as a service: systemd on Debian/Ubuntu, launchd on macOS.
# Runs from a checkout (packaging/install.sh) or from a release tarball (./install.sh next to aurora-node).
# Safe to run again: an upgrade replaces the binary and the service file, keeps the config and the data.
# See packaging/README.md. Written for bash 3.2 too (macOS's /bin/bash).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: install.sh [options]            (as root, e.g. with sudo)

  --binary PATH            the aurora-node to install (default: ./aurora-node next to this script in a release
                           tarball, otherwise build one for this machine with packaging/publish.sh)
  --name NAME              node.name of a new config (default: this host's short name)
  --role ROLE[,ROLE]       node.roles of a new config: lead | backup | compute | edge (default: lead)
  --advertise-address IP   node.advertise_address of a new config: the address other nodes reach this one on
                           (default: 127.0.0.1, which is enough for a single node)
  --lead-url URL           mesh.lead_url of a new config: the lead's API (http://10.0.0.1:8700) for a node that
                           joins the mesh (backup, compute, edge)
  --join-token-file FILE   mesh.join_token of a new config, read from FILE ('-': standard input), so the token
                           never appears in a process listing; create it on the lead: aurora-node join-token create
  --redis-url URL          redis.url of a new config: the mesh's Redis, redis://:PASSWORD@HOST:PORT, for a node
                           that neither runs its own Redis nor joins through --lead-url
  --no-service             install the binary and the config only (no systemd unit or launchd job)
  --no-start               install and enable the service, but do not start or restart it
  --prefix DIR             install the binary as DIR/bin/aurora-node (default: /usr/local)
  --destdir DIR            stage every file under DIR instead of / (packaging, tests): installs no packages,
                           creates no OS user, and starts nothing; the files still name the final paths
  --uninstall              stop and remove the service and the binary; config and data are kept
  --purge                  with --uninstall: also delete the config, the data (the node's PostgreSQL!) and logs
  -h, --help               this text

Files: binary PREFIX/bin/aurora-node, config /etc/aurora-node/aurora-node.yaml (never overwritten once it exists),
data /var/lib/aurora-node, service /etc/systemd/system/aurora-node.service or
/Library/LaunchDaemons/com.aurora.node.plist (logs: journalctl -u aurora-node, or /var/log/aurora-node on macOS).
USAGE
}

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }
need_value() {
  case "${2:-}" in
    ''|--*) echo "install.sh: $1 needs a value" >&2; usage >&2; exit 2 ;;
    *) ;;
  esac
}

here=$(cd "$(dirname "$0")" && pwd)
binary="" name="" roles="" advertise="" redis_url="" lead_url="" join_token_file=""
service=yes start=yes prefix=/usr/local destdir="" uninstall=no purge=no

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) need_value "$@"; binary=$2; shift 2 ;;
    --name) need_value "$@"; name=$2; shift 2 ;;
    --role|--roles) need_value "$@"; roles=$2; shift 2 ;;
    --advertise-address) need_value "$@"; advertise=$2; shift 2 ;;
    --redis-url) need_value "$@"; redis_url=$2; shift 2 ;;
    --lead-url) need_value "$@"; lead_url=$2; shift 2 ;;
    --join-token-file) [ "${2:-}" = - ] || need_value "$@"; join_token_file=$2; shift 2 ;;
    --no-service) service=no; shift ;;
    --no-start) start=no; shift ;;
    --prefix) need_value "$@"; prefix=${2%/}; shift 2 ;;
    --destdir) need_value "$@"; destdir=${2%/}; shift 2 ;;
    --uninstall) uninstall=yes; shift ;;
    --purge) purge=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

case "$prefix" in /*) ;; *) die "--prefix must be an absolute path, got '$prefix'" ;; esac
if [ -n "$destdir" ]; then
  mkdir -p "$destdir"
  destdir=$(cd "$destdir" && pwd)
fi
[ "$purge" = no ] || [ "$uninstall" = yes ] || die "--purge only goes with --uninstall"

os=$(uname -s)
case "$os" in Linux|Darwin) ;; *) die "unsupported system $os: aurora-node runs on Linux and macOS" ;; esac

# Final paths (what the service and the config name) and where this run writes them (under --destdir).
bin_final="$prefix/bin/aurora-node"
etc_final=/etc/aurora-node
config_final="$etc_final/aurora-node.yaml"
data_final=/var/lib/aurora-node
bin_path="$destdir$bin_final"
etc_dir="$destdir$etc_final"
config="$destdir$config_final"
data_dir="$destdir$data_final"
unit="$destdir/etc/systemd/system/aurora-node.service"
plist="$destdir/Library/LaunchDaemons/com.aurora.node.plist"
mac_label=com.aurora.node
mac_user=_aurora
mac_logs="$destdir/var/log/aurora-node"
mac_cache="$destdir/Library/Caches/com.aurora.node"
cache_dir="$destdir/var/cache/aurora-node"

if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  die "run this as root (sudo $0 ...), or stage the files with --destdir DIR"
fi

# Acts on the real system only without --destdir.
live() { [ -z "$destdir" ]; }
systemd_running() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# Temporary files sit next to their target (so mv is atomic) and go away on any exit.
pending=""
cleanup() {
  local f
  for f in $pending; do rm -f "$f"; done
}
trap cleanup EXIT
temp_next_to() {
  local t="$1.new.$$"
  pending="$pending $t"
  echo "$t"
}

# ---- small YAML helpers for the documented config (two-space indentation, one level of sections) ----

# Prints the value of SECTION.KEY (quotes and trailing comment removed), or nothing.
yaml_get() {
  awk -v sec="$2" -v key="$3" -v q="'" '
    /^[^ #][^:]*:/ { insec = ($0 ~ "^" sec ":"); next }
    insec && $0 ~ "^  " key ":" {
      v = $0; sub("^  " key ":[ ]*", "", v); sub("[ ]+#.*$", "", v)
      gsub("^[\"" q "]|[\"" q "]$", "", v); print v; exit
    }' "$1"
}

# Writes FILE with SECTION.KEY set to VALUE (replacing the key, or its commented-out example, or adding it).
yaml_set() {
  local file=$1 sec=$2 key=$3 value=$4 out
  out=$(temp_next_to "$file")
  # The value goes through the environment: awk -v would interpret its backslashes.
  YAML_VALUE=$value awk -v sec="$sec" -v key="$key" '
    { lines[NR] = $0 }
    END {
      val = ENVIRON["YAML_VALUE"]
      # Find the section and, inside it, the key (or a "# key:" example).
      start = 0; hit = 0
      for (i = 1; i <= NR; i++) {
        if (lines[i] ~ /^[^ #][^:]*:/) { if (start && !stop) stop = i; if (lines[i] ~ "^" sec ":") { start = i; stop = 0 } }
        else if (start && !stop && !hit && (lines[i] ~ "^  " key ":" || lines[i] ~ "^  # " key ":")) hit = i
      }
      for (i = 1; i <= NR; i++) {
        if (i == hit) { print "  " key ": " val; continue }
        print lines[i]
        if (i == start && !hit) print "  " key ": " val
      }
      if (!start) { print sec ":"; print "  " key ": " val }
    }' "$file" >"$out"
  mv "$out" "$file"
}

# A YAML scalar: plain when safe, otherwise double-quoted.
yaml_scalar() {
  case "$1" in
    *[!A-Za-z0-9._/:@-]*|'') printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')" ;;
    *) printf '%s' "$1" ;;
  esac
}

# ---- uninstall ----

# launchctl bootout can return before the job has exited.
wait_until_unloaded() {
  local _
  for _ in $(seq 95); do
    launchctl print "system/$mac_label" >/dev/null 2>&1 || return 0
    sleep 1
  done
}

stop_and_remove_service() {
  if [ "$os" = Linux ]; then
    if live && systemd_running; then
      if systemctl cat aurora-node >/dev/null 2>&1; then
        say "stopping aurora-node (the node stops Redis and PostgreSQL first; up to 90 s)"
        systemctl disable --now aurora-node >/dev/null 2>&1 || true
      fi
    fi
    if [ -f "$unit" ]; then
      rm -f "$unit"
      say "removed $unit"
    fi
    if live && systemd_running; then
      systemctl daemon-reload
      systemctl reset-failed aurora-node >/dev/null 2>&1 || true
    fi
  else
    if live && launchctl print "system/$mac_label" >/dev/null 2>&1; then
      say "stopping $mac_label (the node stops Redis and PostgreSQL first; up to 90 s)"
      launchctl bootout "system/$mac_label" 2>/dev/null || true
      wait_until_unloaded
    fi
    if [ -f "$plist" ]; then
      rm -f "$plist"
      say "removed $plist"
    fi
  fi
}

if [ "$uninstall" = yes ]; then
  stop_and_remove_service
  if [ -e "$bin_path" ]; then
    rm -f "$bin_path"
    say "removed $bin_path"
  fi
  if [ "$purge" = yes ]; then
    configured_data=""
    [ ! -f "$config" ] || configured_data=$(yaml_get "$config" node data_dir)
    if [ -n "$configured_data" ] && [ "$configured_data" != "$data_final" ]; then
      say "note: $config names node.data_dir $configured_data; that folder is not removed (delete it yourself if you mean to)"
    fi
    rm -rf "$etc_dir" "$data_dir" "$cache_dir"
    [ "$os" = Linux ] || rm -rf "$mac_logs" "$mac_cache"
    say "purged $etc_dir, $data_dir (PostgreSQL and Redis data, credentials, logs) and caches"
    say "left in place: the OS users the node ran PostgreSQL as, and the PostgreSQL and Redis packages"
  else
    say "kept $etc_dir and $data_dir (remove them too with --uninstall --purge)"
  fi
  say "aurora-node is uninstalled"
  exit 0
fi

# ---- 0. What is installed, and from where ----

if [ "$service" = yes ] && live; then
  if [ "$os" = Linux ] && ! systemd_running; then
    die "systemd is not running on this machine (a container?), so there is no service to install.
  Install without one (--no-service) and start the node under your own supervisor with:
    $bin_final run --config $config_final"
  fi
  if [ "$os" = Darwin ] && ! command -v launchctl >/dev/null 2>&1; then
    die "launchctl not found; install with --no-service"
  fi
fi

# Options that shape a new config are checked before anything happens.
if [ -n "$roles" ]; then
  role_yaml=""
  for r in $(printf '%s' "$roles" | tr ',' ' '); do
    case "$r" in lead|backup|compute|edge) ;; *) die "--role: unknown role '$r'; use lead, backup, compute or edge" ;; esac
    role_yaml="${role_yaml:+$role_yaml, }$r"
  done
  [ -n "$role_yaml" ] || die "--role needs at least one of lead, backup, compute, edge"
else
  role_yaml=lead
fi
if [ -z "$name" ]; then
  name=$( (hostname -s 2>/dev/null || hostname) | tr '[:upper:]' '[:lower:]')
  if [ ! -f "$config" ] && ! printf '%s' "$name" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$'; then
    die "this host's name '$name' is not a valid node name (letters, digits, '-' and '_', at most 63); pass --name"
  fi
  name_given=no
else
  printf '%s' "$name" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$' \
    || die "--name: '$name' is not a valid node name (letters, digits, '-' and '_', at most 63)"
  name_given=yes
fi

# The repository's documented config: next to this script in a tarball, at the top of a checkout.
template=""
for candidate in "$here/aurora-node.yaml" "$here/../aurora-node.yaml"; do
  if [ -f "$candidate" ]; then template=$candidate; break; fi
done

if [ -z "$binary" ]; then
  if [ -x "$here/aurora-node" ]; then
    binary="$here/aurora-node"
  elif [ -x "$here/publish.sh" ]; then
    case "$os-$(uname -m)" in
      Linux-x86_64) rid=linux-x64 ;;
      Linux-aarch64|Linux-arm64) rid=linux-arm64 ;;
      Darwin-arm64) rid=osx-arm64 ;;
      *) die "no release build for $os $(uname -m); build one elsewhere and pass --binary" ;;
    esac
    command -v dotnet >/dev/null 2>&1 \
      || die "no --binary given and no .NET SDK here to build one; publish it on another machine (packaging/publish.sh $rid) and pass --binary PATH"
    say "building aurora-node for $rid (packaging/publish.sh $rid)"
    "$here/publish.sh" "$rid" || die "the build failed (see above); pass a published binary with --binary"
    binary="$here/../artifacts/$rid/aurora-node"
  else
    die "no aurora-node next to this script; pass --binary PATH"
  fi
fi
[ -f "$binary" ] || die "$binary does not exist"
[ -x "$binary" ] || die "$binary is not executable (chmod +x it)"
new_version=$("$binary" version 2>&1) \
  || die "$binary does not run on this machine (built for another system or CPU?): $new_version"
new_version=${new_version%% (*}
say "installing $new_version"

# ---- 1. The servers the node runs: PostgreSQL server binaries and redis-server ----

# Which of them this node runs, from the existing config or the options for a new one.
role_list=$(printf '%s' "$role_yaml" | tr -d ' ')
pg_managed=true redis_managed="" joins=$lead_url
if [ -f "$config" ]; then
  role_list=$(yaml_get "$config" node roles | tr -d '[] ')
  pg_managed=$(yaml_get "$config" postgres managed)
  redis_managed=$(yaml_get "$config" redis managed)
  joins=$(yaml_get "$config" mesh lead_url)
fi
# The node's own rule: the lead runs Redis, and so does a backup that does not join through a lead.
if [ -z "$redis_managed" ]; then
  case ",$role_list," in
    *,lead,*) redis_managed=true ;;
    *,backup,*) if [ -n "$joins" ]; then redis_managed=false; else redis_managed=true; fi ;;
    *) redis_managed=false ;;
  esac
fi

have_postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ls /opt/homebrew/opt/postgresql@*/bin/initdb >/dev/null 2>&1 \
    || ls /usr/local/opt/postgresql@*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1
}
have_redis() {
  command -v redis-server >/dev/null 2>&1 || [ -x /opt/homebrew/bin/redis-server ] || [ -x /usr/local/bin/redis-server ]
}

missing=""
[ "$pg_managed" = false ] || have_postgres || missing="$missing postgresql"
[ "$redis_managed" = false ] || have_redis || missing="$missing redis-server"
[ "$os" != Linux ] || command -v setpriv >/dev/null 2>&1 || missing="$missing util-linux"
missing=${missing# }

if [ -n "$missing" ]; then
  if ! live; then
    say "note: this machine lacks $missing (not installed with --destdir; the config check below may say so)"
  elif [ "$os" = Darwin ]; then
    brew_pkgs=""
    case " $missing " in *" postgresql "*) brew_pkgs="postgresql@17" ;; esac
    case " $missing " in *" redis-server "*) brew_pkgs="${brew_pkgs:+$brew_pkgs }redis" ;; esac
    die "aurora-node needs $missing. Install with Homebrew as your own user (not root), then run this again:
    brew install $brew_pkgs
  The node finds them under /opt/homebrew or /usr/local and starts its own servers: no 'brew services start'."
  elif command -v apt-get >/dev/null 2>&1; then
    say "installing $missing with apt-get"
    apt-get update -qq || say "warning: apt-get update failed; trying with the package lists this machine has"
    # shellcheck disable=SC2086 # $missing is a list of package names
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
      die "apt-get could not install $missing (see above); install them yourself, then run this again"
    fi
    # These packages start system-wide servers of their own; the node runs its own on other ports, so the
    # distro's ones would only take memory. Only those this run installed are touched.
    for pkg in $missing; do
      case "$pkg" in
        postgresql) svc=postgresql ;;
        redis-server) svc=redis-server ;;
        *) continue ;;
      esac
      if systemd_running && systemctl disable --now "$svc" >/dev/null 2>&1; then
        say "stopped and disabled the system-wide $svc service that apt-get just started (the node runs its own)"
      fi
    done
  else
    die "aurora-node needs $missing (PostgreSQL server binaries: postgres, initdb, pg_ctl; redis-server; setpriv).
  Install them with your package manager, then run this again."
  fi
fi

# ---- 2. The config: a new one from the documented file, or the existing one (never overwritten) ----

install -d -m 0755 "$etc_dir"
if [ -f "$config" ]; then
  for opt in "$roles" "$advertise" "$redis_url" "$lead_url" "$join_token_file" "${name_given#no}"; do
    if [ -n "$opt" ]; then
      say "note: $config exists and is kept as it is; --name, --role, --advertise-address, --lead-url, --join-token-file and --redis-url only shape a new config"
      break
    fi
  done
  checked=$config
else
  [ -n "$template" ] || die "the documented aurora-node.yaml is neither next to this script nor in its parent folder"
  checked=$(temp_next_to "$config")
  cp "$template" "$checked"
  yaml_set "$checked" node name "$name"
  yaml_set "$checked" node roles "[$role_yaml]"
  yaml_set "$checked" node data_dir "$data_final"
  [ -z "$advertise" ] || yaml_set "$checked" node advertise_address "$(yaml_scalar "$advertise")"
  [ -z "$redis_url" ] || yaml_set "$checked" redis url "$(yaml_scalar "$redis_url")"
  [ -z "$lead_url" ] || yaml_set "$checked" mesh lead_url "$(yaml_scalar "$lead_url")"
  if [ -n "$join_token_file" ]; then
    if [ "$join_token_file" = - ]; then token=$(cat); else token=$(cat "$join_token_file") || die "--join-token-file: cannot read $join_token_file"; fi
    # The file may hold the token alone, or what join-token create printed (text or --json).
    token=$(printf '%s' "$token" | grep -o 'aurora_join_[A-Za-z0-9_-]*' | head -n 1 || true)
    [ -n "$token" ] || die "--join-token-file: no aurora_join_... token in $join_token_file; create one on the lead with: aurora-node join-token create"
    yaml_set "$checked" mesh join_token "$(yaml_scalar "$token")"
  fi
fi

# The new binary checks the config before anything is replaced: an upgrade whose binary rejects the existing
# config leaves the installed node untouched.
if ! check_output=$("$binary" config check --config "$checked" 2>&1); then
  printf '%s\n' "$check_output" | sed "s|$checked|$config|g" >&2
  if [ "$checked" = "$config" ]; then
    die "$config is not valid for $new_version (see above); fix it, then run this again. Nothing was changed."
  fi
  die "the new config would not be valid (see above); check --name, --role, --advertise-address, --lead-url and --redis-url. Nothing was installed."
fi
if [ "$checked" != "$config" ]; then
  chmod 0640 "$checked"   # it may hold the mesh's Redis password or a join token
  mv "$checked" "$config"
  say "wrote $config (node $(yaml_get "$config" node name), roles $(yaml_get "$config" node roles), data in $data_final)"
else
  say "kept $config"
fi
printf '%s\n' "$check_output" | sed -e "s|$checked|$config|g" -e 's/^/  /'

# ---- 3. The binary (replaced atomically: a running node keeps its old file until it restarts) ----

binary_changed=yes
if [ -f "$bin_path" ] && cmp -s "$binary" "$bin_path"; then
  binary_changed=no
  say "$bin_path is already this build"
else
  install -d -m 0755 "$(dirname "$bin_path")"
  tmp=$(temp_next_to "$bin_path")
  cp "$binary" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$bin_path"
  say "installed $bin_path"
fi

# ---- 4. The data folder and the OS user that runs PostgreSQL ----

if [ "$os" = Linux ]; then
  install -d -m 0711 "$data_dir"
  # The unit makes /etc read-only for the node, so the user PostgreSQL runs as is created here, not by the node.
  pg_user=$(yaml_get "$config" postgres os_user)
  [ -n "$pg_user" ] || pg_user=aurora
  if [ "$pg_managed" != false ]; then
    if ! live; then
      :
    elif id -u "$pg_user" >/dev/null 2>&1; then
      :
    elif useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"; then
      say "created the OS user '$pg_user' (postgres.os_user: PostgreSQL runs as this user)"
    else
      die "could not create the OS user '$pg_user' for PostgreSQL (see above)"
    fi
  fi
else
  # launchd runs the node as the role account _aurora: it needs no root, and PostgreSQL refuses root anyway.
  if live && ! id -u "$mac_user" >/dev/null 2>&1; then
    id_free() { ! dscl . -search /Users UniqueID "$1" | grep -q . && ! dscl . -search /Groups PrimaryGroupID "$1" | grep -q .; }
    uid=""
    for candidate in $(seq 450 499); do
      if id_free "$candidate"; then uid=$candidate; break; fi
    done
    [ -n "$uid" ] || die "no free system user id between 450 and 499 for $mac_user; create the user yourself"
    dscl . -create "/Groups/$mac_user" PrimaryGroupID "$uid"
    dscl . -create "/Groups/$mac_user" RealName "Aurora Node"
    dscl . -create "/Users/$mac_user" UniqueID "$uid"
    dscl . -create "/Users/$mac_user" PrimaryGroupID "$uid"
    dscl . -create "/Users/$mac_user" UserShell /usr/bin/false
    dscl . -create "/Users/$mac_user" NFSHomeDirectory /var/empty
    dscl . -create "/Users/$mac_user" RealName "Aurora Node"
    dscl . -create "/Users/$mac_user" IsHidden 1
    say "created the role account $mac_user (uid $uid) that runs the node"
  fi
  install -d -m 0711 "$data_dir"
  install -d -m 0750 "$mac_logs" "$mac_cache"
  if live; then
    chown "$mac_user:$mac_user" "$data_dir" "$mac_logs" "$mac_cache"
    chgrp "$mac_user" "$config"
  fi
fi

# ---- 5. The service ----

if [ "$service" = no ]; then
  say "done, without a service. Start the node with: $bin_final run --config $config_final"
  live || say "to try the staged node: AURORA__NODE__DATA_DIR=$data_dir $bin_path run --config $config"
  exit 0
fi

# Installs SOURCE as TARGET with ExecStart's path for --prefix; says whether it changed.
service_changed=no
install_service_file() {
  local source=$1 target=$2 tmp
  install -d -m 0755 "$(dirname "$target")"
  tmp=$(temp_next_to "$target")
  sed "s|/usr/local/bin/aurora-node|$bin_final|g" "$source" >"$tmp"
  chmod 0644 "$tmp"
  if [ -f "$target" ] && cmp -s "$tmp" "$target"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$target"
    service_changed=yes
    say "installed $target"
  fi
}

if [ "$os" = Linux ]; then
  install_service_file "$here/aurora-node.service" "$unit"
else
  install_service_file "$here/com.aurora.node.plist" "$plist"
fi

if ! live; then
  say "done: staged under $destdir (nothing was enabled or started)"
  say "to try the staged node: AURORA__NODE__DATA_DIR=$data_dir $bin_path run --config $config"
  exit 0
fi

file_mtime() { stat -c %Y "$1" 2>/dev/null || stat -f %m "$1"; }

# When the running node started (seconds since the epoch), or nothing when it is not running.
service_started_at() {
  local pid etime days rest h m sec
  if [ "$os" = Linux ]; then
    pid=$(systemctl show -p MainPID --value aurora-node 2>/dev/null || echo 0)
  else
    pid=$(launchctl print "system/$mac_label" 2>/dev/null | awk '$1 == "pid" && $2 == "=" { print $3; exit }')
  fi
  [ -n "$pid" ] && [ "$pid" != 0 ] || return 0
  # ps's etime is [[dd-]hh:]mm:ss on Linux and macOS alike.
  etime=$(ps -o etime= -p "$pid" 2>/dev/null | tr -d ' ')
  [ -n "$etime" ] || return 0
  days=0
  case "$etime" in *-*) days=${etime%%-*}; etime=${etime#*-} ;; esac
  rest=$etime h=0
  case "$rest" in *:*:*) h=${rest%%:*}; rest=${rest#*:} ;; esac
  m=${rest%%:*} sec=${rest#*:}
  echo $(( $(date +%s) - ((10#$days * 24 + 10#$h) * 60 + 10#$m) * 60 - 10#$sec ))
}

# A restart is due when this run replaced a file, or an earlier run (--no-start) did after the node started.
changed=no
[ "$binary_changed$service_changed" = nono ] || changed=yes
started_at=$(service_started_at)
if [ -n "$started_at" ]; then
  service_file=$unit
  [ "$os" = Linux ] || service_file=$plist
  if [ "$(file_mtime "$bin_path")" -gt "$started_at" ] || [ "$(file_mtime "$service_file")" -gt "$started_at" ]; then
    changed=yes
  fi
fi
deadline=$((SECONDS + 60))

# Waits (until the deadline) for `aurora-node status` to report a ready node.
wait_until_ready() {
  while ! "$bin_path" status --config "$config" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      "$bin_path" status --config "$config" >&2 || true
      die "the node is not ready after 60 s; it may still be starting. Watch it with: $logs_hint"
    fi
    sleep 1
  done
}

if [ "$os" = Linux ]; then
  logs_hint="journalctl -u aurora-node -e"
  [ "$service_changed" = no ] || systemctl daemon-reload
  systemctl enable --quiet aurora-node
  say "enabled aurora-node.service (starts at boot)"
  if [ "$start" = no ]; then
    if systemctl is-active --quiet aurora-node && [ "$changed" = yes ]; then
      say "the running node still runs the previous version; restart it with: systemctl restart aurora-node"
    else
      say "start it with: systemctl start aurora-node"
    fi
    exit 0
  fi
  action=""
  if ! systemctl is-active --quiet aurora-node; then
    action=start
    systemctl reset-failed aurora-node >/dev/null 2>&1 || true
  elif [ "$changed" = yes ]; then
    action=restart
  else
    say "aurora-node is already running this version"
  fi
  if [ -n "$action" ]; then
    say "${action}ing aurora-node; waiting up to 60 s for it to be ready"
    # Type=notify: systemctl returns once the node has sent READY=1, or fails when it exits first. It runs in the
    # background so this script keeps its own 60 s limit; stopping the client does not cancel the start.
    since=$(date +%s)
    systemctl "$action" aurora-node &
    client=$!
    while kill -0 "$client" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 1; done
    if kill -0 "$client" 2>/dev/null; then
      kill "$client" 2>/dev/null || true
      wait "$client" 2>/dev/null || true
      die "aurora-node did not report ready within 60 s; it may still be starting (systemctl status aurora-node). Watch it with: $logs_hint"
    fi
    if ! wait "$client"; then
      journalctl -u aurora-node --since "@$since" -n 30 --no-pager -o cat >&2 || true
      die "aurora-node failed to start (the end of its log is above; more with: $logs_hint)"
    fi
  fi
  wait_until_ready
else
  logs_hint="tail -n 50 /var/log/aurora-node/aurora-node.log"
  launchctl enable "system/$mac_label"
  loaded=no
  launchctl print "system/$mac_label" >/dev/null 2>&1 && loaded=yes
  if [ "$start" = no ]; then
    if [ "$loaded" = yes ] && [ "$changed" = yes ]; then
      say "the running node still runs the previous version; restart it with: launchctl kickstart -k system/$mac_label"
    else
      say "$plist starts at boot, or now with: launchctl bootstrap system $plist"
    fi
    exit 0
  fi
  if [ "$loaded" = yes ] && [ "$changed" = yes ]; then
    say "stopping the running node (it stops its servers first; up to 90 s)"
    launchctl bootout "system/$mac_label" 2>/dev/null || true
    wait_until_unloaded   # bootstrap fails while the old job is still there
    loaded=no
    deadline=$((SECONDS + 60))
  fi
  if [ "$loaded" = no ]; then
    launchctl bootstrap system "$plist" || die "launchctl could not load $plist (see above)"
    say "started $mac_label; waiting up to 60 s for it to be ready"
  else
    say "aurora-node is already running this version"
  fi
  wait_until_ready
fi

# ---- 6. Where it is ----

"$bin_path" status --config "$config"
status_json=$("$bin_path" status --config "$config" --json 2>/dev/null || true)
api=$(printf '%s\n' "$status_json" | sed -n 's/.*"api": *"\([^"]*\)".*/\1/p' | head -n 1)
advertised=$(printf '%s\n' "$status_json" | sed -n 's/.*"advertise_address": *"\([^"]*\)".*/\1/p' | head -n 1)
echo
case "$api" in
  http://0.0.0.0:*|http://\[::\]:*)
    if [ "$advertised" = 127.0.0.1 ]; then
      say "aurora-node is running. API: http://127.0.0.1:${api##*:} (node.advertise_address is 127.0.0.1: set it to a LAN or VPN address before other nodes join)"
    else
      say "aurora-node is running. API: http://127.0.0.1:${api##*:} on this machine, http://$advertised:${api##*:} for other nodes"
    fi ;;
  *)
    say "aurora-node is running. API: $api" ;;
esac
say "config $config_final, data $data_final, logs: $logs_hint"
