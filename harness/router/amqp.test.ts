import rhea from 'rhea';
import type { Connection, EventContext, Receiver } from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router.ts';
import { freePort, interConnector, interListener, LOOPBACK, waitFor, type Entity } from './test-support.ts';

const quiet: Entity = ['log', { module: 'DEFAULT', enable: 'none' }];
const normal: Entity = ['listener', { name: 'amqp', host: LOOPBACK, port: 0, role: 'normal' }];
const addresses: Entity[] = [
  ['address', { prefix: 'near', distribution: 'closest' }],
  ['address', { prefix: 'spread', distribution: 'balanced' }],
  ['address', { pattern: 'news.#', distribution: 'multicast' }],
];
let a: RouterHandle;
let b: RouterHandle;
const clients: Connection[] = [];

function client(h: RouterHandle): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const c = rhea.create_container().connect({ host: LOOPBACK, port: h.port('amqp'), reconnect: false });
    clients.push(c);
    c.once('connection_open', () => resolve(c));
    c.once('disconnected', (ctx: EventContext) => reject(ctx.error));
  });
}

async function receiver(h: RouterHandle, address: string): Promise<{ got: string[]; link: Receiver }> {
  const c = await client(h);
  const got: string[] = [];
  const link = c.open_receiver({ source: { address } });
  link.on('message', (ctx: EventContext) => got.push(String(ctx.message!.body)));
  await new Promise<void>((r) => link.once('receiver_open', () => r()));
  return { got, link };
}

async function send(h: RouterHandle, address: string, bodies: string[]): Promise<string[]> {
  const c = await client(h);
  const s = c.open_sender({ target: { address } });
  const outcomes: string[] = [];
  await new Promise<void>((resolve) => {
    let i = 0;
    const done = () => outcomes.length === bodies.length && resolve();
    s.on('sendable', () => {
      while (i < bodies.length && s.sendable()) s.send({ body: bodies[i++] });
    });
    s.on('accepted', () => (outcomes.push('accepted'), done()));
    s.on('rejected', () => (outcomes.push('rejected'), done()));
    s.on('released', () => (outcomes.push('released'), done()));
  });
  return outcomes;
}

const seen = (h: RouterHandle, address: string, router: string) =>
  waitFor(`${address}@${router} seen by ${h.id}`, () => h.state().addresses, (l) => l.some((x) => x.address === address && x.router === router && x.kind === 'amqp'));

beforeAll(async () => {
  const p = await freePort();
  a = await startRouter([['router', { id: 'A', mode: 'interior' }], quiet, normal, interListener(p), ...addresses]);
  b = await startRouter([['router', { id: 'B', mode: 'interior' }], quiet, normal, interConnector('toA', p), ...addresses]);
  await waitFor('A-B link', () => a.state().links, (l) => l.length === 1);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await b?.close();
  await a?.close();
});

describe('AMQP clients on normal listeners', () => {
  it('delivers anycast from a sender on one router to a receiver on another', async () => {
    const r = await receiver(b, 'queue1');
    await seen(a, 'queue1', 'B');
    expect(await send(a, 'queue1', ['m1', 'm2', 'm3'])).toEqual(['accepted', 'accepted', 'accepted']);
    await waitFor('3 messages at B', () => r.got, (g) => g.length === 3);
    expect(r.got).toEqual(['m1', 'm2', 'm3']);
  });

  it('closest sends to the nearest receiver; balanced spreads over both', async () => {
    const [nearA, nearB] = [await receiver(a, 'near.q'), await receiver(b, 'near.q')];
    const [spreadA, spreadB] = [await receiver(a, 'spread.q'), await receiver(b, 'spread.q')];
    await seen(a, 'near.q', 'B');
    await seen(a, 'spread.q', 'B');
    const bodies = Array.from({ length: 10 }, (_, i) => `x${i}`);
    await send(a, 'near.q', bodies);
    await send(a, 'spread.q', bodies);
    await waitFor('10 near.q at A', () => nearA.got, (g) => g.length === 10);
    await waitFor('10 spread.q over A and B', () => spreadA.got.length + spreadB.got.length, (n) => n === 10);
    expect(nearB.got).toEqual([]);
    expect(spreadA.got.length).toBeGreaterThan(0);
    expect(spreadB.got.length).toBeGreaterThan(0);
  });

  it('multicast copies every message to every receiver on every router', async () => {
    const rs = [await receiver(a, 'news.sport'), await receiver(b, 'news.sport'), await receiver(b, 'news.sport')];
    await seen(a, 'news.sport', 'B');
    await send(a, 'news.sport', ['goal', 'final']);
    for (const r of rs) await waitFor('2 copies', () => r.got, (g) => g.length === 2);
    expect(rs.map((r) => r.got)).toEqual([['goal', 'final'], ['goal', 'final'], ['goal', 'final']]);
  });

  it('rejects a message nobody can receive', async () => {
    expect(await send(b, 'nobody.home', ['lost'])).toEqual(['rejected']);
  });
});
