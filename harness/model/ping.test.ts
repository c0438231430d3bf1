import { describe, expect, it } from 'vitest';
import { formatPing, parsePing } from './ping.ts';

describe('parsePing', () => {
  it('reads counts and rtt from iputils output', () => {
    const s = parsePing('C0w2:c2', '3 packets transmitted, 3 received, 0% packet loss, time 402ms\nrtt min/avg/max/mdev = 0.158/0.590/1.022/0.432 ms\n');
    expect(s).toMatchObject({ transmitted: 3, received: 3, loss: 0, rtt: { min: 0.158, avg: 0.59, max: 1.022, mdev: 0.432 } });
    expect(formatPing(s)).toBe('3 sent, 3 received, 0% loss, rtt min/avg/max 0.158/0.59/1.022 ms');
  });
  it('reads total loss with errors and no rtt line', () => {
    const s = parsePing('x', '2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1001ms\n');
    expect(s).toMatchObject({ transmitted: 2, received: 0, loss: 100, rtt: undefined });
  });
  it('counts output it cannot read as total loss', () => {
    expect(parsePing('x', 'ping: connect: Network is unreachable').loss).toBe(100);
  });
});
