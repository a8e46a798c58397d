import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throw-away PKI for a Kubernetes control plane, issued with openssl into one folder: the CA,
 * serving and client certificates (EC P-256), and the ServiceAccount token signing key pair.
 * One owner for the lab cluster (cluster/src/pki.ts: a certificate per component) and the test
 * bed's bare API server (tools/testbed/src/kube.ts: the serving certificate and an admin).
 */

/** A certificate and its key: PEM text, and where they are on disk. */
export interface Identity {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export interface PkiOptions {
  /** The folder the files go to (made if missing). */
  dir: string;
  /** Subject of the CA, e.g. "/CN=laas-lab-ca". */
  caSubject: string;
  /** How long every certificate is valid: these PKIs live for one run or one test session. */
  days: number;
  /** The subjectAltName entries of serving certificates, e.g. ["IP:127.0.0.1", "DNS:kubernetes"]. */
  servingSans: string[];
  /** Runs openssl with these arguments, rejecting when it fails (each caller has its own runner). */
  openssl: (args: string[]) => Promise<unknown>;
}

export interface Pki {
  caPath: string;
  caKeyPath: string;
  caPem: string;
  /**
   * Issues `<name>.crt` and `<name>.key` signed by the CA. `server` certificates carry the
   * serving SANs; a client's user and groups are its subject's CN and O, e.g.
   * "/O=system:masters/CN=laas-admin". Safe to call in parallel (random serials, no ca.srl).
   * `sans` gives a serving certificate names of its own instead of the PKI's serving SANs (a
   * kubelet serves on the node's name, an aggregated API server on its Service's).
   */
  issue(name: string, subject: string, kind: 'server' | 'client', sans?: string[]): Promise<Identity>;
  /** Writes the ServiceAccount token signing key pair (EC P-256) as sa.pub and sa.key. */
  serviceAccountKeys(): { publicKeyPath: string; privateKeyPath: string };
}

/** The openssl configuration: the CA's, a serving and a client certificate's extensions. */
export function opensslConfig(servingSans: string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    'CN = laas',
    '[ca_ext]',
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier = hash',
    '[server_ext]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${servingSans.join(',')}`,
    '[client_ext]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = clientAuth',
    '',
  ].join('\n');
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes the CA in `options.dir`; certificates are then issued with the answer's `issue`. */
export async function makePki(options: PkiOptions): Promise<Pki> {
  const { dir, days, openssl } = options;
  mkdirSync(dir, { recursive: true });
  const p = (name: string): string => join(dir, name);
  const cnf = p('openssl.cnf');
  writeFileSync(cnf, opensslConfig(options.servingSans));
  await openssl([
    'req',
    '-x509',
    '-new',
    ...EC_KEY,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    String(days),
    '-config',
    cnf,
    '-extensions',
    'ca_ext',
    '-subj',
    options.caSubject,
  ]);

  const issue = async (
    name: string,
    subject: string,
    kind: 'server' | 'client',
    sans?: string[],
  ): Promise<Identity> => {
    const certPath = p(`${name}.crt`);
    const keyPath = p(`${name}.key`);
    // A certificate with SANs of its own gets a configuration of its own: the shared one's
    // server_ext carries the PKI's serving SANs.
    let extfile = cnf;
    if (sans) {
      extfile = p(`${name}.cnf`);
      writeFileSync(extfile, opensslConfig(sans));
    }
    await openssl([
      'req',
      '-new',
      ...EC_KEY,
      '-keyout',
      keyPath,
      '-out',
      p(`${name}.csr`),
      '-config',
      cnf,
      '-subj',
      subject,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      // Random serials: certificates may be issued in parallel, and a shared ca.srl would race.
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-out',
      certPath,
      '-days',
      String(days),
      '-extfile',
      extfile,
      '-extensions',
      kind === 'server' ? 'server_ext' : 'client_ext',
    ]);
    return {
      certPath,
      keyPath,
      certPem: readFileSync(certPath, 'utf8'),
      keyPem: readFileSync(keyPath, 'utf8'),
    };
  };

  const serviceAccountKeys = (): { publicKeyPath: string; privateKeyPath: string } => {
    const pair = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(p('sa.pub'), pair.publicKey);
    writeFileSync(p('sa.key'), pair.privateKey, { mode: 0o600 });
    return { publicKeyPath: p('sa.pub'), privateKeyPath: p('sa.key') };
  };

  return {
    caPath: p('ca.crt'),
    caKeyPath: p('ca.key'),
    caPem: readFileSync(p('ca.crt'), 'utf8'),
    issue,
    serviceAccountKeys,
  };
}
