import { describe, expect, it } from 'vitest';
import { TimeoutError } from './errors.ts';
import { notYet, ready, waitFor, WaitAbort } from './wait.ts';

describe('waitFor', () => {
  it('returns the value once the probe is done', async () => {
    let n = 0;
    await expect(waitFor('n to reach 3', async () => (++n >= 3 ? ready(n) : notYet(`n=${n}`)), { timeoutMs: 1000, intervalMs: 1 })).resolves.toBe(3);
  });
  it('times out naming what it awaited and what it last saw', async () => {
    const e = await rejection(waitFor('the moon', async () => notYet('clouds'), { timeoutMs: 50, intervalMs: 5 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/timed out after 50 ms waiting for the moon; last seen: clouds/);
  });
  it('treats a throwing probe as not yet, reporting its message', async () => {
    const e = await rejection(waitFor('x', async () => { throw new Error('connection refused'); }, { timeoutMs: 30, intervalMs: 5 }));
    expect(e.message).toMatch(/last seen: connection refused/);
  });
  it('stops at once on WaitAbort with its cause', async () => {
    const t0 = performance.now();
    const e = await rejection(waitFor('x', async () => { throw new WaitAbort(new Error('daemon died')); }, { timeoutMs: 5000 }));
    expect(e.message).toBe('daemon died');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('honours an abort signal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled')), 20);
    await expect(waitFor('x', async () => notYet('-'), { timeoutMs: 5000, signal: ac.signal })).rejects.toThrow('cancelled');
  });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}
