import { describe, expect, it } from 'vitest';
import { computeRoutes, destinations, LinkStateDb, type RouterRecord } from './link-state.ts';

function rec(id: string, links: Record<string, number>, extra: Partial<RouterRecord> = {}): RouterRecord {
  return { id, mode: 'interior', incarnation: 1, seq: 1, links, tcp: [], amqp: [], ...extra };
}

function db(...records: RouterRecord[]): LinkStateDb {
  const d = new LinkStateDb();
  for (const r of records) d.accept(r);
  return d;
}

describe('link state', () => {
  it('keeps the newest record; a restart (new incarnation) wins over a higher seq', () => {
    const d = new LinkStateDb();
    expect(d.accept(rec('a', {}, { seq: 5 }))).toBe(true);
    expect(d.accept(rec('a', {}, { seq: 4 }))).toBe(false);
    expect(d.accept(rec('a', {}, { incarnation: 2, seq: 1 }))).toBe(true);
  });

  it('finds least-cost paths over several hops', () => {
    // a -1- b -1- c, and a direct a-c link of cost 5
    const d = db(rec('a', { b: 1, c: 5 }), rec('b', { a: 1, c: 1 }), rec('c', { b: 1, a: 5 }, { tcp: ['svc'] }));
    const routes = computeRoutes('a', d);
    expect(routes.get('c')).toEqual({ router: 'c', nextHop: 'b', cost: 2 });
    expect(destinations('svc', 'tcp', routes, d)).toEqual([{ router: 'c', nextHop: 'b', cost: 2 }]);
  });

  it('uses only links both ends list, and never transits an edge router', () => {
    const d = db(rec('a', { b: 1 }), rec('b', { c: 1 }), rec('c', { b: 1 }));
    expect(computeRoutes('a', d).has('b')).toBe(false);
    const e = db(rec('a', { e: 1 }), rec('e', { a: 1, c: 1 }, { mode: 'edge' }), rec('c', { e: 1 }));
    const routes = computeRoutes('a', e);
    expect(routes.get('e')?.cost).toBe(1);
    expect(routes.has('c')).toBe(false);
  });

  it('reroutes round a ring when a link drops', () => {
    const ring = [rec('a', { b: 1, d: 1 }), rec('b', { a: 1, c: 1 }), rec('c', { b: 1, d: 1 }), rec('d', { c: 1, a: 1 })];
    expect(computeRoutes('a', db(...ring)).get('c')).toEqual({ router: 'c', nextHop: 'b', cost: 2 });
    const broken = db(rec('a', { d: 1 }, { seq: 2 }), rec('b', { c: 1 }, { seq: 2 }), ring[2]!, ring[3]!);
    expect(computeRoutes('a', broken).get('c')).toEqual({ router: 'c', nextHop: 'd', cost: 2 });
  });
});
