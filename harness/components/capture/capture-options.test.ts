import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../sys/errors.ts';
import { parseCaptureOptions, tcpdumpArgv } from './capture-options.ts';

describe('capture options', () => {
  it('defaults to the uplink eth0 and builds an argv with the filter as one element after --', () => {
    const o = parseCaptureOptions({ filter: 'udp port 8472 and host 10.0.0.2', snaplen: 128, count: 4 });
    expect(o.iface).toBe('eth0');
    expect(tcpdumpArgv(o, '/run/x.pcap')).toEqual([
      'tcpdump', '-n', '-i', 'eth0', '-U', '--immediate-mode', '-Z', 'root', '-w', '/run/x.pcap',
      '-s', '128', '-c', '4', '--', 'udp port 8472 and host 10.0.0.2',
    ]);
    expect(tcpdumpArgv(parseCaptureOptions({ iface: 'any' }), '-')).toEqual(['tcpdump', '-n', '-i', 'any', '-U', '--immediate-mode', '-Z', 'root', '-w', '-']);
  });

  it('rejects bad input naming the field, before anything runs', () => {
    const bad = (o: object) => () => parseCaptureOptions(o as never);
    expect(bad({ iface: 'eth0; rm -rf /' })).toThrow(/iface: must be an interface name/);
    expect(bad({ iface: 'a-very-long-interface-name' })).toThrow(ValidationError);
    expect(bad({ count: 0 })).toThrow(/count/);
    expect(bad({ snaplen: -1 })).toThrow(/snaplen/);
    expect(bad({ filter: 'icmp\0' })).toThrow(/filter: must not contain NUL/);
    expect(bad({ colour: 'red' })).toThrow(/colour/);
  });
});
