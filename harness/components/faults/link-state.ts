import { run } from '../../sys/exec.ts';

/** `ip -n NETNS link set DEV up|down`. */
export async function setLinkState(netns: string, dev: string, state: 'up' | 'down'): Promise<void> {
  await run(['ip', '-n', netns, 'link', 'set', 'dev', dev, state]);
}

/** The MTU of a device. */
export async function linkMtu(netns: string, dev: string): Promise<number> {
  const r = await run(['ip', '-n', netns, '-j', 'link', 'show', 'dev', dev]);
  const mtu = (JSON.parse(r.stdout) as { mtu?: number }[])[0]?.mtu;
  if (typeof mtu !== 'number') throw new TypeError(`no mtu for ${dev} in netns ${netns}: ${r.stdout.trim()}`);
  return mtu;
}

export async function setLinkMtu(netns: string, dev: string, mtu: number): Promise<void> {
  await run(['ip', '-n', netns, 'link', 'set', 'dev', dev, 'mtu', String(mtu)]);
}
