/** What `ping` (iputils) reported: counts, loss and round-trip times. */
export interface PingStats {
  target: string;
  transmitted: number;
  received: number;
  /** Percent, 0-100. */
  loss: number;
  rtt: { min: number; avg: number; max: number; mdev: number } | undefined;
  output: string;
}

export function parsePing(target: string, output: string): PingStats {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(output);
  const transmitted = counts ? Number(counts[1]) : 0;
  const received = counts ? Number(counts[2]) : 0;
  return {
    target,
    transmitted,
    received,
    loss: transmitted === 0 ? 100 : Math.round(((transmitted - received) / transmitted) * 1000) / 10,
    rtt: rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]), mdev: Number(rtt[4]) } : undefined,
    output,
  };
}

export function formatPing(s: PingStats): string {
  const rtt = s.rtt ? `, rtt min/avg/max ${s.rtt.min}/${s.rtt.avg}/${s.rtt.max} ms` : '';
  return `${s.transmitted} sent, ${s.received} received, ${s.loss}% loss${rtt}`;
}
