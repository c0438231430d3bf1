import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../router/config.ts';
import { siteCertExtensions } from './pki.ts';
import { siteConfig } from './site-config.ts';

describe('site config', () => {
  const site = {
    id: 'C1',
    links: [{ peer: 'C0', host: '10.0.0.1', cost: 2 }],
    services: [{ address: 'web:80', listener: { port: 1028 } }, { address: 'db:5432', connector: { host: '11.0.16.2', port: 5432 } }],
    tls: { cert: '/r/C1.crt', key: '/r/C1.key', ca: '/r/ca.crt' },
    logFile: '/r/C1.log',
  };

  it('is a config the router schema (skrouterd attribute names) accepts, with nothing unimplemented', () => {
    expect(parseRouterConfig(siteConfig({ ...site, tls: undefined }), 'site').notImplemented).toEqual([]);
  });

  it('authenticates TLS peers by certificate with SASL EXTERNAL and verifies the dialled host', () => {
    const config = siteConfig(site);
    expect(config).toContainEqual(['listener', expect.objectContaining({ role: 'inter-router', sslProfile: 'inter-router-tls', authenticatePeer: true, saslMechanisms: 'EXTERNAL' })]);
    expect(config).toContainEqual(['connector', expect.objectContaining({ name: 'link-C0', host: '10.0.0.1', sslProfile: 'inter-router-tls', verifyHostname: true, cost: 2 })]);
    expect(config).toContainEqual(['log', { module: 'DEFAULT', enable: 'info+', outputFile: '/r/C1.log' }]);
    expect(config).toContainEqual(['router', { id: 'C1', mode: 'interior', workerThreads: 1 }]);
    expect(config).toContainEqual(['tcpListener', expect.objectContaining({ name: 'web:80', port: '1028', address: 'web:80' })]);
    expect(config).toContainEqual(['tcpConnector', expect.objectContaining({ name: 'db:5432@C1', host: '11.0.16.2', port: '5432' })]);
  });

  it('names the site address in a certificate both as IP and as DNS (Proton checks only DNS names and the CN)', () => {
    expect(siteCertExtensions('C0', '10.0.0.1')).toBe('subjectAltName=IP:10.0.0.1,DNS:10.0.0.1,DNS:C0\nextendedKeyUsage=serverAuth,clientAuth');
  });
});
