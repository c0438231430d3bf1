import { describe, expect, it } from 'vitest';
import { configChanges, type Entity } from './config-diff.ts';

const router: Entity = ['router', { id: 'C0', mode: 'interior' }];
const log: Entity = ['log', { module: 'DEFAULT', enable: 'info+' }];
const inter = (tls?: boolean): Entity => ['listener', { name: 'interior-listener', role: 'inter-router', port: 55671, ...(tls ? { sslProfile: 'tls' } : {}) }];

describe('configChanges', () => {
  it('is empty for the same config', () => {
    expect(configChanges([router, log, inter()], [router, log, inter()])).toEqual([]);
  });

  it('creates what is new, what is used before its users and connectors last', () => {
    const to: Entity[] = [
      router, log, inter(true),
      ['connector', { name: 'link-C1', role: 'inter-router', host: '10.0.1.1', port: '55671' }],
      ['tcpListener', { name: 'web:80', port: '1028', address: 'web:80' }],
      ['sslProfile', { name: 'tls', certFile: 'c', privateKeyFile: 'k', caCertFile: 'ca' }],
    ];
    expect(configChanges([router, log, inter()], to)).toEqual([
      { op: 'DELETE', type: 'listener', name: 'interior-listener' },
      { op: 'CREATE', type: 'sslProfile', name: 'tls', attributes: { certFile: 'c', privateKeyFile: 'k', caCertFile: 'ca' } },
      { op: 'CREATE', type: 'listener', name: 'interior-listener', attributes: { role: 'inter-router', port: 55671, sslProfile: 'tls' } },
      { op: 'CREATE', type: 'tcpListener', name: 'web:80', attributes: { port: '1028', address: 'web:80' } },
      { op: 'CREATE', type: 'connector', name: 'link-C1', attributes: { role: 'inter-router', host: '10.0.1.1', port: '55671' } },
    ]);
  });

  it('deletes links before the entities they use', () => {
    const from: Entity[] = [router, ['sslProfile', { name: 'tls' }], ['tcpConnector', { name: 'a', host: 'h', port: '1', address: 'a' }], ['connector', { name: 'c', port: '1' }]];
    expect(configChanges(from, [router]).map((c) => `${c.op} ${c.type}`)).toEqual(['DELETE connector', 'DELETE tcpConnector', 'DELETE sslProfile']);
  });

  it('refuses to change the router or log entity at run time', () => {
    expect(() => configChanges([router], [['router', { id: 'C9', mode: 'interior' }]])).toThrow(/the router entity cannot change while the router runs/);
    expect(() => configChanges([router], [router, log])).toThrow(/log entity cannot be added/);
  });
});
