import { describe, expect, it } from 'vitest';
import { parseSubnetEnv } from './flanneld.ts';
import { parseCniResult } from '../cni/cni.ts';

describe('parseSubnetEnv', () => {
  it('reads what flanneld writes', () => {
    expect(parseSubnetEnv('FLANNEL_NETWORK=11.0.0.0/8\nFLANNEL_SUBNET=11.10.128.1/20\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n')).toEqual({
      network: '11.0.0.0/8',
      subnet: '11.10.128.1/20',
      mtu: 1450,
      ipMasq: false,
    });
  });
  it('reads the IPv6 lines of a dual-stack flanneld (names with digits)', () => {
    const env = parseSubnetEnv(
      'FLANNEL_NETWORK=11.0.0.0/8\nFLANNEL_SUBNET=11.10.32.1/20\nFLANNEL_IPV6_NETWORK=fd00:11::/48\nFLANNEL_IPV6_SUBNET=fd00:11:0:48::1/64\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n',
    );
    expect(env).toMatchObject({ ipv6Network: 'fd00:11::/48', ipv6Subnet: 'fd00:11:0:48::1/64' });
  });
  it('says undefined for a half-written file', () => {
    expect(parseSubnetEnv('FLANNEL_NETWORK=11.0.0.0/8\n')).toBeUndefined();
  });
});

describe('parseCniResult', () => {
  it('takes the first address of a CNI result', () => {
    const r = parseCniResult(JSON.stringify({ cniVersion: '0.4.0', ips: [{ version: '4', address: '11.10.160.2/20', gateway: '11.10.160.1' }] }), 'ns');
    expect(r).toMatchObject({ ip: '11.10.160.2', cidr: '11.10.160.2/20', gateway: '11.10.160.1' });
  });
  it('names the pod when cnitool printed no JSON or no address', () => {
    expect(() => parseCniResult('boom', 'kn-x-C0w1-c1')).toThrow(/kn-x-C0w1-c1 printed no JSON/);
    expect(() => parseCniResult('{"ips":[]}', 'p')).toThrow(/returned no IPv4 address/);
  });
  it('takes the IPv4 and the IPv6 address of a dual-stack result, whatever their order', () => {
    const r = parseCniResult(
      JSON.stringify({
        cniVersion: '0.4.0',
        ips: [
          { version: '6', address: 'fd00:11:0:48::2/64', gateway: 'fd00:11:0:48::1' },
          { version: '4', address: '11.10.32.2/20', gateway: '11.10.32.1' },
        ],
      }),
      'ns',
    );
    expect(r).toMatchObject({ ip: '11.10.32.2', gateway: '11.10.32.1', ip6: 'fd00:11:0:48::2', gateway6: 'fd00:11:0:48::1' });
  });
});
