import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELPER_ENTRIES, freshBundle } from '../../sys/bundles.js';
import { run } from '../../sys/exec.ts';
import { deleteNetns } from '../../sys/netns.ts';
import { netnsName, newRunId } from '../../sys/run-dir.ts';
import { NETEM_FIX, NETEM_PROBE_ARGV } from '../faults/kernel-support.ts';
import { toolsRoot } from './tool-paths.ts';

export interface Check {
  name: string;
  /** Required: a simulation cannot start without it. Optional: some scenarios need it. */
  required: boolean;
  ok: boolean;
  /** Version or what was found. */
  detail: string;
  /** How to get it, when missing. */
  fix: string;
}

interface ProgramCheck {
  name: string;
  argv: string[];
  pattern: RegExp;
  required: boolean;
  fix: string;
  env?: Record<string, string>;
  /** The pinned version (conf/versions.json), when the found one must match it. */
  want?: string;
}

const SETUP = 'run scripts/setup.sh';
const apt = (pkg: string) => `apt-get install ${pkg} (or ${SETUP})`;

const PINS = JSON.parse(readFileSync(fileURLToPath(new URL('../../../conf/versions.json', import.meta.url)), 'utf8')) as {
  go: Record<string, { module: string; version: string }>;
};

function programs(): ProgramCheck[] {
  const t = toolsRoot();
  const pin = (name: string) => PINS.go[name]!.version;
  return [
    { name: 'etcd', argv: ['etcd', '--version'], pattern: /etcd Version: (\S+)/, required: true, fix: apt('etcd-server') },
    { name: 'etcdctl', argv: ['etcdctl', 'version'], pattern: /etcdctl version: (\S+)/, required: false, fix: apt('etcd-client') },
    { name: 'flanneld', argv: [join(t, 'bin/flannel'), '--version'], pattern: /^(v\S+)/m, required: true, fix: SETUP, want: pin('flannel') },
    { name: 'cnitool', argv: ['cat', join(t, 'bin/cnitool.version')], pattern: /@(\S+)/, required: true, fix: SETUP, want: pin('cnitool') },
    { name: 'flannel CNI plugin', argv: [join(t, 'cni/flannel')], env: { CNI_COMMAND: 'VERSION' }, pattern: /"cniVersion":"([^"]+)"/, required: true, fix: SETUP },
    { name: 'bridge CNI plugin', argv: ['/usr/lib/cni/bridge'], env: { CNI_COMMAND: 'VERSION' }, pattern: /"cniVersion":"([^"]+)"/, required: true, fix: apt('containernetworking-plugins') },
    { name: 'host-local CNI plugin', argv: ['/usr/lib/cni/host-local'], env: { CNI_COMMAND: 'VERSION' }, pattern: /"cniVersion":"([^"]+)"/, required: true, fix: apt('containernetworking-plugins') },
    { name: 'ip (iproute2)', argv: ['ip', '-V'], pattern: /iproute2-([\w.]+)/, required: true, fix: apt('iproute2') },
    { name: 'nft', argv: ['nft', '--version'], pattern: /nftables (v\S+)/, required: true, fix: apt('nftables') },
    { name: 'conntrack', argv: ['conntrack', '--version'], pattern: /conntrack v(\S+)/, required: true, fix: apt('conntrack') },
    { name: 'ping', argv: ['ping', '-V'], pattern: /iputils[- ](\S+)/, required: true, fix: apt('iputils-ping') },
    { name: 'tcpdump', argv: ['tcpdump', '--version'], pattern: /tcpdump version (\S+)/, required: false, fix: apt('tcpdump') },
    { name: 'tshark', argv: ['tshark', '--version'], pattern: /TShark \(Wireshark\) (\S+)/, required: false, fix: apt('tshark') },
    { name: 'iperf3', argv: ['iperf3', '--version'], pattern: /iperf (\S+)/, required: false, fix: apt('iperf3') },
    { name: 'socat', argv: ['socat', '-V'], pattern: /socat version (\S+)/, required: false, fix: `${apt('socat')}; multi-cluster runs reach their routers' management through it` },
    {
      name: 'skrouterd', argv: ['skrouterd', '--version'], pattern: /^(\S+)/m, required: false,
      fix: 'optional: the real skupper-router, built from source (github.com/skupperproject/skupper-router, with Apache Qpid Proton); on PATH, multi-cluster runs use it and knetsim test --all adds the scenarios-skrouterd project',
    },
    { name: 'ifconfig (net-tools)', argv: ['ifconfig', '--version'], pattern: /net-tools (\S+)/, required: false, fix: apt('net-tools') },
    { name: 'openssl', argv: ['openssl', 'version'], pattern: /OpenSSL (\S+)/, required: false, fix: apt('openssl') },
  ];
}

async function checkProgram(p: ProgramCheck): Promise<Check> {
  try {
    const r = await run(p.argv, { reject: false, timeoutMs: 10_000, env: p.env });
    // exec reports a program that could not be started at all (ENOENT) as exit code -1.
    if (r.exitCode < 0) return { name: p.name, required: p.required, ok: false, detail: `not found (${p.argv[0]} is not on PATH)`, fix: p.fix };
    const m = p.pattern.exec(r.stdout + r.stderr);
    if (m && p.want && m[1] !== p.want) {
      return { name: p.name, required: p.required, ok: false, detail: `${m[1]} (pinned: ${p.want})`, fix: p.fix };
    }
    if (m) return { name: p.name, required: p.required, ok: true, detail: m[1]!, fix: '' };
    return { name: p.name, required: p.required, ok: false, detail: `unexpected output: ${(r.stdout + r.stderr).trim().split('\n')[0] ?? ''}`, fix: p.fix };
  } catch (e) {
    return { name: p.name, required: p.required, ok: false, detail: 'not found', fix: p.fix };
  }
}

interface FeatureCheck {
  name: string;
  required: boolean;
  argv: string[];
  fix: string;
}

const FEATURES: FeatureCheck[] = [
  { name: 'kernel: veth', required: true, argv: ['ip', 'link', 'add', 'kd-a', 'type', 'veth', 'peer', 'name', 'kd-b'], fix: 'a kernel with veth (CONFIG_VETH)' },
  { name: 'kernel: bridge', required: true, argv: ['ip', 'link', 'add', 'kd-br', 'type', 'bridge'], fix: 'a kernel with bridging (CONFIG_BRIDGE)' },
  { name: 'kernel: vxlan', required: true, argv: ['ip', 'link', 'add', 'kd-vx', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '127.0.0.1'], fix: 'a kernel with VXLAN (CONFIG_VXLAN)' },
  { name: 'kernel: nftables nat', required: true, argv: ['nft', 'add table ip kd; add chain ip kd pre { type nat hook prerouting priority -100; }'], fix: 'a kernel with nf_tables and nft_nat' },
  { name: 'kernel: br_netfilter', required: true, argv: ['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=1'], fix: 'modprobe br_netfilter: kube-proxy needs bridged pod traffic to pass nftables (same-worker clients of a service)' },
  { name: 'kernel: netem', required: false, argv: [...NETEM_PROBE_ARGV], fix: NETEM_FIX },
  { name: 'kernel: wireguard', required: false, argv: ['ip', 'link', 'add', 'kd-wg', 'type', 'wireguard'], fix: 'load wireguard (modprobe wireguard); only flannel\'s wireguard backend needs it' },
];

/** Tries each kernel feature inside a namespace made for the purpose, then removes it. */
async function checkFeatures(): Promise<Check[]> {
  const ns = netnsName(newRunId(), 'doctor');
  const out: Check[] = [];
  const created = await run(['ip', 'netns', 'add', ns], { reject: false });
  if (created.exitCode !== 0) {
    return [{ name: 'kernel: network namespaces', required: true, ok: false, detail: created.stderr.trim(), fix: 'run as root, with CAP_SYS_ADMIN (docker run --privileged)' }];
  }
  out.push({ name: 'kernel: network namespaces', required: true, ok: true, detail: 'ok', fix: '' });
  try {
    for (const f of FEATURES) {
      const r = await run(f.argv, { netns: ns, reject: false, timeoutMs: 10_000 }).catch((e: Error) => ({ exitCode: 127, stderr: e.message }));
      out.push({ name: f.name, required: f.required, ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'ok' : r.stderr.trim().split('\n')[0] || `exit ${r.exitCode}`, fix: f.fix });
    }
    const ovs = existsSync('/sys/module/openvswitch') || /\bopenvswitch\b/.test(safeRead('/proc/modules'));
    out.push({ name: 'kernel: openvswitch', required: false, ok: ovs, detail: ovs ? 'loaded' : 'module not loaded', fix: 'modprobe openvswitch; not used by default' });
  } finally {
    await deleteNetns([ns]);
  }
  return out;
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

/** The prebuilt helpers: without fresh bundles everything works, through tsx, slower. */
function checkBundles(): Check {
  const stale = HELPER_ENTRIES.map((e) => freshBundle(e)).flatMap((r) => ('reason' in r ? [r.reason] : []));
  return {
    name: 'helper bundles',
    required: false,
    ok: stale.length === 0,
    detail: stale.length ? `${stale.length} of ${HELPER_ENTRIES.length} not fresh: ${stale[0]}` : `${HELPER_ENTRIES.length} fresh`,
    fix: 'npm run build:helpers (programs run through tsx meanwhile, slower to start)',
  };
}

export async function runDoctor(): Promise<Check[]> {
  const root: Check = {
    name: 'root',
    required: true,
    ok: process.getuid?.() === 0,
    detail: `uid ${process.getuid?.()}`,
    fix: 'run as root (sudo), or in a --privileged container',
  };
  const progs = await Promise.all(programs().map(checkProgram));
  const features = root.ok ? await checkFeatures() : [];
  return [root, { name: 'node', required: true, ok: true, detail: process.version, fix: '' }, checkBundles(), ...progs, ...features];
}
