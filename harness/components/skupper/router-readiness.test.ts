import { describe, expect, it } from 'vitest';
import { readiness } from './router-readiness.ts';

const self = { id: 'C1', cost: null, nextHop: '(self)', routerLink: null };

describe('router readiness from management state', () => {
  it('is ready when every peer has a cost and every consumed address listens', () => {
    const nodes = [self, { id: 'C0', cost: 1, nextHop: null, routerLink: 0 }, { id: 'C2', cost: 2, nextHop: 'C0', routerLink: null }];
    const listeners = [{ name: 'web', address: 'web:80', operStatus: 'up', connectionMsg: '' }];
    expect(readiness(nodes, listeners, { peers: ['C0', 'C2'], addresses: ['web:80'] })).toEqual({ ready: true, seen: '' });
  });

  it('says what was seen when a peer is unreachable or a tcpListener is down', () => {
    const nodes = [self, { id: 'C0', cost: null, nextHop: null, routerLink: null }];
    const listeners = [{ name: 'web', address: 'web:80', operStatus: 'down', connectionMsg: 'EADDRINUSE' }];
    expect(readiness(nodes, listeners, { peers: ['C0', 'C2'], addresses: ['web:80', 'db:5432'] })).toEqual({
      ready: false,
      seen: 'routers reached: [C0 (unreachable)]; not reached: [C0, C2]; tcpListeners: [web:80: down, EADDRINUSE; db:5432: no tcpListener]',
    });
  });

  it('needs nothing of a router with no peers and no consumed addresses', () => {
    expect(readiness([self], [], { peers: [], addresses: [] }).ready).toBe(true);
  });
});
