#!/usr/bin/env bash
# Installs everything knetsim needs, and nothing twice: Debian packages, the npm
# dependencies, the Go-built programs (flanneld, cnitool, the flannel CNI plugin) at the
# versions pinned in conf/versions.json (scripts/build-go.mjs, with zx), and the helper
# bundles (npm run build:helpers). Used by the README, .ci/run and the Dockerfile.
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
  python3 wget curl nginx-light chromium time conntrack)
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

# --- npm (before the Go builds: scripts/build-go.mjs runs on zx) -------------------------
lock_sum=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$here/node_modules/.setup-lock" ] || [ "$(cat "$here/node_modules/.setup-lock")" != "$lock_sum" ]; then
  if $check_only; then missing+=("node_modules (npm ci)"); else
    say "npm ci"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$lock_sum" > "$here/node_modules/.setup-lock"
  fi
fi

# --- Go-built programs (conf/versions.json; stamped, rebuilt only when a pin changes) ------
export KNETSIM_TOOLS="$tools"
if $check_only; then
  while IFS= read -r line; do [ -n "$line" ] && missing+=("$line"); done < <(node "$here/scripts/build-go.mjs" --check || true)
else
  node "$here/scripts/build-go.mjs"
fi

# --- prebuilt helpers (harness/sys/bundles.js) ---------------------------------------------
# The programs the harness starts with node (kube-proxy agents, routers, servers, knetsim
# itself) bundled to plain JavaScript; rebuilt only when a source changed. Skipped while the
# sources are not there yet (the Dockerfile runs this script before copying them).
if [ -f "$here/harness/sys/bundles.js" ] && [ -d "$here/node_modules" ]; then
  if $check_only; then
    (cd "$here" && npx --no-install tsx scripts/build-helpers.ts --check) || missing+=("helper bundles (npm run build:helpers)")
  else
    (cd "$here" && npx --no-install tsx scripts/build-helpers.ts) | tail -1 | sed 's/^\[build:helpers\]/[setup] helpers:/' >&2
  fi
fi

if $check_only && [ ${#missing[@]} -gt 0 ]; then
  say "missing: ${missing[*]}"; exit 1
fi
$check_only && say "everything is installed" || true
