import { describe, expect, it } from 'vitest';
import { ValidationError } from '../sys/errors.ts';
import { DEFAULT_SERVICE_CIDR, DEFAULT_SERVICE_CIDR6, planService, type ExposeContext } from './service-spec.ts';

const ctx: ExposeContext = {
  serviceCidr: DEFAULT_SERVICE_CIDR,
  vips: new Map([['100.64.10.1', 'old']]),
  nodePorts: new Map([[30080, 'old']]),
  services: new Set(['old']),
  hasPod: (n) => ['c1', 'c2', 'c3'].includes(n),
};

function issues(name: string, raw: unknown): { path: string; message: string }[] {
  try {
    planService(name, raw, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return [...(e as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

describe('planService', () => {
  it('plans a deck-style port-less VIP in static mode with jhash', () => {
    const p = planService('vip1', { vip: '100.64.10.2', pods: ['c2', 'c3'], mode: 'static' }, ctx);
    expect(p.stored).toEqual({ name: 'vip1', vip: '100.64.10.2', ports: [], pick: 'knetsim' });
    expect(p.pods).toEqual(['c2', 'c3']);
  });

  it('allocates the first free VIP and fills targetPort, protocol and affinity', () => {
    const p = planService('web', { port: 80, targetPort: 8080, pods: ['c2'], sessionAffinity: 'ClientIP' }, ctx);
    expect(p.stored.vip).toBe('100.64.0.1');
    expect(p.stored.ports).toEqual([{ protocol: 'tcp', port: 80, targetPort: 8080 }]);
    expect(p.stored.affinityTimeoutSeconds).toBe(10800);
    expect(p.stored.pick).toBe('random');
  });

  it.each([
    ['a VIP outside the service CIDR', { vip: '10.1.1.1', pods: ['c2'] }, 'vip', /outside the service CIDR/],
    ['a VIP already taken', { vip: '100.64.10.1', pods: ['c2'] }, 'vip', /taken by service "old"/],
    ['a missing pod', { pods: ['c2', 'c9'] }, 'pods.1', /no pod "c9"/],
    ['a port out of range', { ports: [{ port: 70000 }], pods: ['c2'] }, 'ports.0.port', /1-65535/],
    ['an unknown protocol', { ports: [{ port: 53, protocol: 'icmp' }], pods: ['c2'] }, 'ports.0.protocol', /one of tcp, udp, sctp/],
    ['a node port outside the range', { port: 80, nodePort: 8080, pods: ['c2'] }, 'nodePort', /30000-32767/],
    ['a node port taken', { port: 80, nodePort: 30080, pods: ['c2'] }, 'nodePort', /taken/],
    ['an unknown field', { pods: ['c2'], replicas: 2 }, '', /unknown field/],
  ])('rejects %s, naming the field', (_what, raw, path, message) => {
    const found = issues('web', raw);
    expect(found.some((i) => i.path === path && message.test(i.message)), JSON.stringify(found)).toBe(true);
  });

  it('rejects a duplicate or malformed service name', () => {
    expect(issues('old', { pods: ['c2'] })[0]).toMatchObject({ path: 'name' });
    expect(issues('Bad_Name', { pods: ['c2'] })[0]).toMatchObject({ path: 'name' });
  });

  it('plans a dual-stack service: an IPv6 VIP from the IPv6 service CIDR, canonical text', () => {
    const dual: ExposeContext = { ...ctx, dualStack: true, serviceCidr6: DEFAULT_SERVICE_CIDR6, podIp6: (n) => (n === 'c3' ? undefined : `fd00:11:0:1${n.slice(1)}::2`) };
    const p = planService('d1', { port: 80, pods: ['c1', 'c2'], ipFamilies: ['IPv4', 'IPv6'] }, dual);
    expect(p.stored.vip6).toBe('fd00:10:96::1');
    expect(planService('d2', { port: 80, pods: ['c1'], ipFamilies: ['IPv4', 'IPv6'], vip6: 'FD00:10:96:0::A' }, dual).stored.vip6).toBe('fd00:10:96::a');
    expect(planService('d3', { port: 80, pods: ['c1'] }, dual).stored.vip6).toBeUndefined();
    const bad = (raw: unknown, c: ExposeContext = dual) => {
      try {
        planService('bad', raw, c);
      } catch (e) {
        return (e as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(bad({ port: 80, pods: ['c1'], ipFamilies: ['IPv4', 'IPv6'] }, ctx)).toEqual(['ipFamilies: IPv6 needs a dual-stack cluster (flannel EnableIPv6 with an IPv6Network)']);
    expect(bad({ port: 80, pods: ['c1', 'c3'], ipFamilies: ['IPv4', 'IPv6'] })).toEqual(['pods.1: pod "c3" has no IPv6 address']);
    expect(bad({ port: 80, pods: ['c1'], ipFamilies: ['IPv6'] })).toEqual(["ipFamilies: IPv6-only services are not supported: give ['IPv4', 'IPv6']"]);
    expect(bad({ port: 80, pods: ['c1'], vip6: 'fd00:10:96::5' })).toEqual(["vip6: needs ipFamilies ['IPv4', 'IPv6']"]);
    expect(bad({ port: 80, pods: ['c1'], ipFamilies: ['IPv4', 'IPv6'], vip6: 'fd00:99::5' })).toEqual(['vip6: fd00:99::5 lies outside the IPv6 service CIDR fd00:10:96::/112']);
    expect(bad({ pods: ['c1'], ipFamilies: ['IPv4', 'IPv6'], mode: 'static', pick: 'knetsim' })[0]).toMatch(/^pick: /);
    expect(bad({ port: 80, pods: ['c1'], ipFamilies: ['IPv5'] })[0]).toMatch(/^ipFamilies\.0: must be one of IPv4, IPv6/);
  });
});
