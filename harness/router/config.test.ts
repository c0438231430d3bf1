import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../sys/errors.ts';
import { loadRouterConfig, parseRouterConfig } from './config.ts';
import { implementedAttributes, SCHEMA_TYPE_OF, type EntityType } from './config-schema.ts';
import { SKROUTERD_ENTITY_TYPES } from './skrouterd-schema.ts';

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
  it("reads knetsim's own configs unchanged, listing what it accepts without implementing", async () => {
    const c0 = await loadRouterConfig(conf('solo0.json'));
    expect(c0.router).toMatchObject({ id: 'c0', mode: 'interior', helloMaxAgeSeconds: 3, metadata: '{"id":"c0","version":"1.0.2"}' });
    expect(c0.listeners.find((l) => l.role === 'inter-router')).toMatchObject({ port: 55671, maxFrameSize: 16384, maxSessionFrames: 640 });
    expect(c0.listeners.find((l) => l.role === 'edge')).toMatchObject({ port: 45671 });
    expect(c0.listeners.find((l) => l.http)).toMatchObject({ name: '@9090', port: 9090, healthz: true, metrics: true });
    expect(c0.tcpListeners[0]).toMatchObject({ name: 'backend:8080', port: 1028, address: 'backend:8080', host: '0.0.0.0' });
    expect(c0.addresses).toEqual([{ name: 'address/mc', prefix: 'mc', distribution: 'multicast' }]);
    expect(c0.notImplemented).toEqual(['listener[4] "@9090".httpRootDir']);
    const c1 = await loadRouterConfig(conf('solo1.json'));
    expect(c1.connectors[0]).toMatchObject({ name: 'link1', role: 'inter-router', host: 'localhost', port: 55671, cost: 1 });
    expect(c1.tcpConnectors[0]).toMatchObject({ name: 'backend', host: 'localhost', port: 8090, address: 'backend:8080' });
    expect(c1.notImplemented).toEqual(['listener[4] "@9091".httpRootDir']);
  });

  it('accepts every attribute of skrouterd\'s schema for the entities it reads, type-checked', () => {
    const c = parseRouterConfig([
      ['router', { id: 'r1', mode: 'interior', raIntervalSeconds: '30', 'remote-ls-max-age-seconds': 60, dataConnectionCount: 'auto' }],
      ['listener', { name: 'l', port: 5, 'idle-timeout-seconds': 16, websockets: 'no', stripAnnotations: 'both', 'max-frame-size': 2048 }],
      ['tcpListener', { name: 't', port: 7, address: 'a', backlog: 10, observer: 'none' }],
      ['site', { location: 'here' }],
    ]);
    expect(c.listeners[0]).toMatchObject({ name: 'l', maxFrameSize: 2048 });
    expect(c.notImplemented).toEqual([
      'router[0].raIntervalSeconds', 'router[0].remoteLsMaxAgeSeconds', 'router[0].dataConnectionCount',
      'listener[1] "l".idleTimeoutSeconds', 'listener[1] "l".websockets', 'listener[1] "l".stripAnnotations',
      'tcpListener[2] "t".backlog', 'tcpListener[2] "t".observer',
      'site[3] (entity type site)',
    ]);
    expect(issuesOf([router, ['listener', { name: 'l', port: 1, idleTimeoutSeconds: 'soon' }]])).toEqual([
      { path: 'listener[1] "l".idleTimeoutSeconds', message: 'must be an integer, got "soon"' },
    ]);
    expect(issuesOf([router, ['tcpListener', { name: 't', port: 1, address: 'a', observer: 'tcp' }]])[0]!.message).toMatch(/one of none, auto, http1, http2/);
  });

  it('takes entity types by their long names and the address alias', () => {
    const c = parseRouterConfig([['io.skupper.router.router', { id: 'x' }], ['router.config.address', { pattern: 'a.*', distribution: 'closest' }], ['address', { prefix: 'b' }]]);
    expect(c.router.id).toBe('x');
    expect(c.addresses).toEqual([{ name: 'address/a.*', pattern: 'a.*', distribution: 'closest' }, { name: 'address/b', prefix: 'b', distribution: 'balanced' }]);
  });

  it('applies skrouterd defaults and string forms', () => {
    const c = parseRouterConfig([
      router,
      ['listener', { port: 'amqp' }],
      ['connector', { name: 'x', host: 'h', port: '55671', role: 'inter-router', cost: '3' }],
      ['address', { prefix: 'mc', distribution: 'multicast' }],
      ['listener', { name: '@9090', port: 9090, http: true, healthz: true, metrics: true }],
    ]);
    expect(c.listeners[0]).toMatchObject({ port: 5672, role: 'normal', host: '0.0.0.0', http: false });
    expect(c.listeners[1]).toMatchObject({ port: 9090, http: true });
    expect(c.connectors[0]).toMatchObject({ port: 55671, cost: 3 });
    expect(parseRouterConfig([router, ['tcpConnector', { address: 'a', port: 1 }], ['listener', {}]])).toMatchObject({
      tcpConnectors: [{ host: '127.0.0.1' }], listeners: [{ port: 5672, host: '0.0.0.0' }],
    });
  });

  const bad: [string, unknown, RegExp, RegExp][] = [
    ['not an array', { router: {} }, /^$/, /JSON array/],
    ['unknown entity', [router, ['bridge', { name: 'b' }]], /bridge\[1\]/, /unknown entity type/],
    ['operational entity', [router, ['router.node', { name: 'b' }]], /router\.node\[1\]/, /operational entity type/],
    ['unknown attribute', [router, ['listener', { name: 'l', port: 1, colour: 'red' }]], /listener\[1\] "l"\.colour/, /unknown attribute \(skrouterd's listener has no attribute/],
    ['an attribute of another entity', [router, ['tcpConnector', { name: 't', port: 1, address: 'a', role: 'normal' }]], /tcpConnector\[1\] "t"\.role/, /unknown attribute/],
    ['identity', [router, ['listener', { name: 'l', port: 1, identity: 'listener/1' }]], /listener\[1\] "l"\.identity/, /cannot be set/],
    ['missing router', [['listener', { port: 1 }]], /^router$/, /required entity/],
    ['missing required attribute', [router, ['tcpConnector', { name: 't', port: 80 }]], /tcpConnector\[1\] "t"\.address/, /required/],
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

  it('implements only attributes skrouterd\'s schema defines (names are facts of the schema)', () => {
    for (const [type, schemaType] of Object.entries(SCHEMA_TYPE_OF)) {
      const known = Object.keys(SKROUTERD_ENTITY_TYPES[schemaType]!.attributes);
      expect(implementedAttributes(type as EntityType).filter((a) => !known.includes(a)), type).toEqual([]);
    }
  });

  it('names the file in the error', async () => {
    await expect(loadRouterConfig('/nonexistent/r.json')).rejects.toThrow(/invalid \/nonexistent\/r\.json/);
  });
});
