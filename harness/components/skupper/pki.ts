import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../sys/exec.ts';

export interface SiteCertificate {
  cert: string;
  key: string;
  ca: string;
}

/**
 * A certificate authority made for one run, issuing a certificate per router site with
 * Debian's openssl. Each router presents its own and accepts only peers signed by this
 * CA: mutual TLS on the inter-router links.
 *
 * Connectors dial the site's first worker by its address and verify the certificate
 * against it. Node (the built-in router) matches an address against IP subjectAltNames;
 * Proton (skrouterd) checks only DNS subjectAltNames and the CN, comparing the host string
 * it dialled. So the certificate names the address both ways: `IP:10.0.0.1` and
 * `DNS:10.0.0.1` (plus the site id as a DNS name).
 */
export class SitePki {
  private serial = 1;

  private constructor(
    readonly dir: string,
    readonly ca: string,
  ) {}

  static async create(dir: string): Promise<SitePki> {
    mkdirSync(dir, { recursive: true });
    const ca = join(dir, 'ca.crt');
    await run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=knetsim-skupper-ca', '-keyout', join(dir, 'ca.key'), '-out', ca]);
    return new SitePki(dir, ca);
  }

  async issue(id: string, ip: string): Promise<SiteCertificate> {
    const p = (f: string) => join(this.dir, f);
    writeFileSync(p(`${id}.ext`), `${siteCertExtensions(id, ip)}\n`);
    await run(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${id}`, '-keyout', p(`${id}.key`), '-out', p(`${id}.csr`)]);
    await run(['openssl', 'x509', '-req', '-in', p(`${id}.csr`), '-CA', this.ca, '-CAkey', p('ca.key'), '-set_serial', String(this.serial++), '-days', '2', '-extfile', p(`${id}.ext`), '-out', p(`${id}.crt`)]);
    return { cert: p(`${id}.crt`), key: p(`${id}.key`), ca: this.ca };
  }
}

/** The X.509 extensions of a site certificate (openssl -extfile syntax). */
export function siteCertExtensions(id: string, ip: string): string {
  return `subjectAltName=IP:${ip},DNS:${ip},DNS:${id}\nextendedKeyUsage=serverAuth,clientAuth`;
}
