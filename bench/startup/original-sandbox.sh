#!/bin/sh
# Runs IBM's knetsim (k8s-netsim's main.py) for bench/startup, sealed off from the host.
# Started by original.ts as:
#   unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
#     sh original-sandbox.sh CHECKOUT PYTHON FLANNELD CNITOOL CNI_PATH ETCDCTL NODE ROUTER_BUNDLE
#
# main.py assumes a machine of its own: it runs `killall -9 etcd flanneld`, `rm -rf /tmp/knetsim/`,
# puts Mininet's switches in the root namespace, and writes index.html into its working folder.
# Here it gets a network namespace, a PID namespace (killall sees only its own processes) and
# private mounts: /tmp, /run (netns entries, nginx's pid file) and nginx's folders are tmpfs,
# the kernel's global sysctls read-only, and it runs in a copy of the checkout. Everything
# goes when the namespace's first process ends.
#
# It finds the programs of its Dockerfile through small adapters on PATH, pointing at ours:
#   flanneld  -> our flanneld (etcd v3 API; main.py's flanneld v0.6.2 used v2)
#   etcdctl   -> Debian's etcdctl 3.4; `set KEY` (v2, main.py) becomes `put KEY` (v3, read by flanneld)
#   cnitool   -> our cnitool, with CNI_PATH set to our plugins (main.py hard-codes /opt/cni/bin)
#   skrouterd -> our router (harness/router), which reads skrouterd's JSON config
set -eu
checkout=$1 python=$2 flanneld=$3 cnitool=$4 cni_path=$5 etcdctl=$6 node=$7 router=$8

# /run first, and the checkout copied there, before /tmp (where a checkout may be) is hidden.
mount -t tmpfs knetsim-original /run
mkdir -p /run/netns /run/bin /run/checkout
cp -a "$checkout"/. /run/checkout/
mount -t tmpfs knetsim-original /tmp
for d in /var/log/nginx /var/lib/nginx; do
  if [ -d "$d" ]; then mount -t tmpfs knetsim-original "$d"; fi
done
mount -o bind,ro /proc/sys/kernel /proc/sys/kernel
mount -o bind,ro /proc/sys/fs /proc/sys/fs

shim() { # name, then the script's body
  printf '#!/bin/sh\n%s\n' "$2" > "/run/bin/$1"
  chmod +x "/run/bin/$1"
}
shim flanneld "exec '$flanneld' \"\$@\""
shim cnitool "CNI_PATH='$cni_path' exec '$cnitool' \"\$@\""
shim etcdctl "if [ \"\$1\" = set ]; then shift; exec '$etcdctl' put \"\$@\"; fi; exec '$etcdctl' \"\$@\""
shim skrouterd "exec '$node' '$router' \"\$@\""

cd /run/checkout
export PATH="/run/bin:$PATH" PYTHONUNBUFFERED=1
exec "$python" main.py
