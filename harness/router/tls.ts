/** Reads an sslProfile's files into Node TLS options (mutual TLS when a CA is named). */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { HarnessError } from '../sys/errors.ts';
import type { SslProfileEntity } from './config-schema.ts';

export interface TlsMaterial {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
  passphrase?: string;
}

export class SslProfileError extends HarnessError {
  override name = 'SslProfileError';
}

/** The sslProfile named `name` (a listener or connector naming a missing one was refused at validation). */
export function sslProfileOf(profiles: readonly SslProfileEntity[], name: string): SslProfileEntity {
  const p = profiles.find((s) => s.name === name);
  if (!p) throw new HarnessError(`no sslProfile named ${name}`);
  return p;
}

export function loadSslProfile(p: SslProfileEntity): TlsMaterial {
  const read = (attr: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new SslProfileError(`sslProfile "${p.name}".${attr}: cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
  };
  const out: TlsMaterial = {};
  const cert = read('certFile', p.certFile);
  const key = read('privateKeyFile', p.privateKeyFile);
  const ca = read('caCertFile', p.caCertFile);
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (ca) out.ca = ca;
  if (p.password !== undefined) out.passphrase = p.password;
  return out;
}

/**
 * Node TLS options of a connection a connector dials to `host`: the profile's material, the
 * peer's certificate checked against its CA, and against `host` unless verifyHostname is off
 * (no SNI for an IP address).
 */
export function connectorTls(material: TlsMaterial, host: string, verifyHostname: boolean) {
  return { ...material, rejectUnauthorized: true, servername: isIP(host) ? '' : host, ...(verifyHostname ? {} : { checkServerIdentity: () => undefined }) };
}
