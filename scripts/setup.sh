#!/usr/bin/env bash
# Installs everything knetsim needs, and nothing twice: Debian packages, the Go-built
# programs (flanneld, cnitool, the flannel CNI plugin) at the versions pinned in
# conf/versions.json, and the npm dependencies. Used by the README, .ci/run and the Dockerfile.
#
#   scripts/setup.sh            install what is missing (a no-op when all is there)
#   scripts/setup.sh --check    report what is missing, install nothing (exit 1 if anything is)
#
# Go-built programs go to $KNETSIM_TOOLS (default /opt/knetsim): bin/ and cni/.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tools=${KNETSIM_TOOLS:-/opt/knetsim}
check_only=false
[ "${1:-}" = "--check" ] && check_only=true

say() { printf '[setup] %s\n' "$*" >&2; }
missing=()

# --- Debian packages -------------------------------------------------------------------
apt_packages=(etcd-server etcd-client containernetworking-plugins nftables iproute2 tcpdump
  tshark iperf3 socat net-tools iputils-ping openssl util-linux procps psmisc ca-certificates
  python3 wget curl nginx-light chromium conntrack)
need_apt=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if $check_only; then missing+=("${need_apt[@]}"); else
    say "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
fi

# --- Go-built programs -----------------------------------------------------------------
command -v go >/dev/null || { say "go is not on PATH (install golang >= 1.26)"; exit 1; }
pin() { node -e 'const v=require(process.argv[1]).go[process.argv[2]];console.log(v.module+"@"+v.version)' "$here/conf/versions.json" "$1"; }
stamp_ok() { [ -x "$1" ] && [ -f "$1.version" ] && [ "$(cat "$1.version")" = "$2" ]; }
mkdir -p "$tools/bin" "$tools/cni"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

flannel_pin="$(pin flannel)"
if ! stamp_ok "$tools/bin/flannel" "$flannel_pin"; then
  if $check_only; then missing+=("flannel ($flannel_pin)"); else
    say "building flanneld $flannel_pin (cgo; a few minutes on a fresh machine)"
    (cd "$here/tools/flannel" && CGO_ENABLED=1 go build -trimpath \
      -ldflags "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=${flannel_pin#*@}" \
      -o "$tools/bin/flannel.new" github.com/flannel-io/flannel)
    mv "$tools/bin/flannel.new" "$tools/bin/flannel" && echo "$flannel_pin" > "$tools/bin/flannel.version"
  fi
fi

go_install() { # name, destination dir
  local name=$1 dest=$2 p; p="$(pin "$name")"
  local bin; bin=$(node -e 'console.log(require(process.argv[1]).go[process.argv[2]].binary)' "$here/conf/versions.json" "$name")
  if stamp_ok "$dest/$bin" "$p"; then return; fi
  if $check_only; then missing+=("$name ($p)"); return; fi
  say "go install $p"
  local tmp; tmp=$(mktemp -d)
  GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "$p"
  mv "$tmp/$(basename "${p%@*}")" "$dest/$bin" && echo "$p" > "$dest/$bin.version"
  rm -rf "$tmp"
}
go_install cnitool "$tools/bin"
go_install flannel-cni "$tools/cni"

# --- npm -------------------------------------------------------------------------------
lock_sum=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$here/node_modules/.setup-lock" ] || [ "$(cat "$here/node_modules/.setup-lock")" != "$lock_sum" ]; then
  if $check_only; then missing+=("node_modules (npm ci)"); else
    say "npm ci"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$lock_sum" > "$here/node_modules/.setup-lock"
  fi
fi

if $check_only && [ ${#missing[@]} -gt 0 ]; then
  say "missing: ${missing[*]}"; exit 1
fi
$check_only && say "everything is installed" || true
