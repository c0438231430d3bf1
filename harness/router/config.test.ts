import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../sys/errors.ts';
import { loadRouterConfig, parseRouterConfig } from './config.ts';

const conf = (f: string) => fileURLToPath(new URL(`../../conf/router/${f}`, import.meta.url));

function issuesOf(doc: unknown): { path: string; message: string }[] {
  try {
    parseRouterConfig(doc, 'test');
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return [...(e as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

const router = ['router', { id: 'r1', mode: 'interior' }];

describe('router config', () => {
  it('reads the deck examples', async () => {
    const c0 = await loadRouterConfig(conf('solo0.json'));
    expect(c0.router).toMatchObject({ id: 'c0', mode: 'interior' });
    expect(c0.listeners.find((l) => l.role === 'inter-router')).toMatchObject({ port: 55671, maxFrameSize: 16384, maxSessionFrames: 640 });
    expect(c0.listeners.find((l) => l.http)).toMatchObject({ port: 9090, healthz: true, metrics: true });
    expect(c0.tcpConnectors[0]).toMatchObject({ host: 'localhost', port: 8090, address: 'backend:8080' });
    const c1 = await loadRouterConfig(conf('solo1.json'));
    expect(c1.connectors[0]).toMatchObject({ name: 'link1', role: 'inter-router', port: 55671, cost: 1 });
    expect(c1.tcpListeners[0]).toMatchObject({ port: 1028, address: 'backend:8080' });
  });

  it('applies skrouterd defaults and string forms', () => {
    const c = parseRouterConfig([
      router,
      ['listener', { port: 'amqp' }],
      ['connector', { name: 'x', host: 'h', port: '55671', role: 'inter-router', cost: '3' }],
      ['address', { prefix: 'mc', distribution: 'multicast' }],
      // knetsim's generated configs carry skrouterd's httpRootDir on the http listener.
      ['listener', { name: '@9090', port: 9090, http: true, httpRootDir: 'disabled', healthz: true, metrics: true }],
    ]);
    expect(c.listeners[0]).toMatchObject({ port: 5672, role: 'normal', host: '0.0.0.0', http: false });
    expect(c.listeners[1]).toMatchObject({ port: 9090, http: true, httpRootDir: 'disabled' });
    expect(c.connectors[0]).toMatchObject({ port: 55671, cost: 3 });
  });

  const bad: [string, unknown, RegExp, RegExp][] = [
    ['not an array', { router: {} }, /^$/, /JSON array/],
    ['unknown entity', [router, ['bridge', { name: 'b' }]], /bridge\[1\]/, /unknown entity type/],
    ['unknown attribute', [router, ['listener', { name: 'l', port: 1, colour: 'red' }]], /listener\[1\] "l"\.colour/, /unknown attribute/],
    ['missing router', [['listener', { port: 1 }]], /^router$/, /required entity/],
    ['missing required attribute', [router, ['tcpConnector', { name: 't', port: 80, address: 'a' }]], /tcpConnector\[1\] "t"\.host/, /required/],
    ['port out of range', [router, ['listener', { name: 'l', port: 70000 }]], /listener\[1\] "l"\.port/, /0-65535/],
    ['port not a number', [router, ['connector', { name: 'c', port: 'http', role: 'inter-router' }]], /connector\[1\] "c"\.port/, /1-65535/],
    ['two routers', [router, ['router', { id: 'r2' }]], /router\[1\]/, /only one router/],
    ['duplicate names', [router, ['tcpListener', { name: 'a', port: 1, address: 'x' }], ['tcpListener', { name: 'a', port: 2, address: 'y' }]], /tcpListener "a"\.name/, /duplicate/],
    ['inter-router connector from an edge router', [['router', { id: 'e', mode: 'edge' }], ['connector', { name: 'up', port: 1, role: 'inter-router' }]], /connector "up"\.role/, /edge router cannot open inter-router/],
    ['inter-router listener on a standalone router', [['router', { id: 's' }], ['listener', { name: 'i', port: 1, role: 'inter-router' }]], /listener "i"\.role/, /standalone router/],
    ['unknown sslProfile', [router, ['listener', { name: 'l', port: 1, sslProfile: 'nope' }]], /listener "l"\.sslProfile/, /no sslProfile/],
    ['bad role', [router, ['listener', { name: 'l', port: 1, role: 'route-container' }]], /listener\[1\] "l"\.role/, /inter-router/],
    ['bad distribution', [router, ['address', { prefix: 'a', distribution: 'random' }]], /address\[1\]\.distribution/, /closest/],
    ['address without prefix', [router, ['address', { distribution: 'closest' }]], /address\[1\]\.prefix/, /exactly one/],
    ['same port twice', [router, ['listener', { name: 'a', port: 5 }], ['tcpListener', { name: 'b', port: 5, address: 'x', host: '0.0.0.0' }]], /tcpListener "b"\.port/, /already used/],
  ];
  it.each(bad)('rejects %s, naming the field', (_name, doc, path, message) => {
    const issues = issuesOf(doc);
    expect(issues.some((i) => path.test(i.path) && message.test(i.message)), JSON.stringify(issues)).toBe(true);
  });

  it('names the file in the error', async () => {
    await expect(loadRouterConfig('/nonexistent/r.json')).rejects.toThrow(/invalid \/nonexistent\/r\.json/);
  });
});
