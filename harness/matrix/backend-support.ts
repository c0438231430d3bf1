import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';

/** Whether this host can run a flannel backend, and if not, why (shown as "skipped"). */
export type Support = { ok: true } | { ok: false; reason: string };

/** Tries to create a link of a type in a throwaway network namespace (`unshare -n`): nothing is left behind. */
function canCreateLink(args: string[]): Promise<Support> {
  return new Promise((done) => {
    execFile('unshare', ['-n', 'ip', 'link', 'add', 'probe0', ...args], { timeout: 10_000 }, (err, _out, stderr) => {
      if (!err) done({ ok: true });
      else done({ ok: false, reason: `the kernel cannot make a ${args[1]} link (ip link add type ${args[1]}: ${String(stderr).trim() || err.message})` });
    });
  });
}

export async function backendSupport(backend: string): Promise<Support> {
  switch (backend) {
    case 'vxlan':
      return canCreateLink(['type', 'vxlan', 'id', '1', 'dstport', '4789']);
    case 'host-gw':
      return { ok: true };
    case 'udp':
      return existsSync('/dev/net/tun') ? { ok: true } : { ok: false, reason: 'no /dev/net/tun: the udp backend needs a TUN device' };
    case 'ipip': {
      const k = await canCreateLink(['type', 'ipip']);
      return k.ok ? { ok: false, reason: 'the kernel has ipip, but knetsim does not run the ipip backend yet' } : k;
    }
    case 'wireguard': {
      const k = await canCreateLink(['type', 'wireguard']);
      return k.ok ? { ok: false, reason: 'the kernel has wireguard, but knetsim does not run the wireguard backend yet' } : k;
    }
    case 'ipsec':
      return { ok: false, reason: 'the ipsec backend needs strongSwan (charon), which knetsim does not install' };
    default:
      return { ok: false, reason: `the ${backend} backend needs a cloud provider's API` };
  }
}
