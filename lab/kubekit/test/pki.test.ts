import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makePki, type Pki } from '../src/index.js';

const execFileAsync = promisify(execFile);
let dir: string;
let pki: Pki;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubekit-pki-'));
  pki = await makePki({
    dir,
    caSubject: '/CN=kubekit-test-ca',
    days: 2,
    servingSans: ['IP:127.0.0.1', 'DNS:kubernetes.default.svc'],
    openssl: (args) => execFileAsync('openssl', args, { cwd: dir }),
  });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a throw-away PKI issued with openssl', () => {
  test('the CA is a CA, valid for the days asked', () => {
    const ca = new X509Certificate(pki.caPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=kubekit-test-ca');
    const days = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / 86_400_000;
    expect(days).toBeCloseTo(2, 1);
  });

  test('a serving certificate is signed by the CA, for server auth, with the serving SANs', async () => {
    const served = await pki.issue('apiserver', '/CN=kube-apiserver', 'server');
    const cert = new X509Certificate(served.certPem);
    expect(cert.verify(new X509Certificate(pki.caPem).publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:kubernetes.default.svc');
    expect(cert.checkPrivateKey(createPrivateKey(served.keyPem))).toBe(true);
  });

  test('a serving certificate given names of its own carries those, not the serving SANs', async () => {
    const served = await pki.issue('kubelet-serving', '/CN=laas-lab', 'server', [
      'IP:198.19.255.2',
      'DNS:laas-lab',
    ]);
    const cert = new X509Certificate(served.certPem);
    expect(cert.verify(new X509Certificate(pki.caPem).publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(cert.subjectAltName).toBe('IP Address:198.19.255.2, DNS:laas-lab');
  });

  test('client certificates carry user and group as CN and O, for client auth, and can be issued in parallel', async () => {
    const [admin, node] = await Promise.all([
      pki.issue('admin', '/O=system:masters/CN=laas-admin', 'client'),
      pki.issue('kubelet', '/O=system:nodes/CN=system:node:n1', 'client'),
    ]);
    const a = new X509Certificate(admin.certPem);
    const n = new X509Certificate(node.certPem);
    expect(a.subject).toBe('O=system:masters\nCN=laas-admin');
    expect(n.subject).toBe('O=system:nodes\nCN=system:node:n1');
    expect(a.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
    expect(a.subjectAltName).toBeUndefined();
    expect(a.serialNumber).not.toBe(n.serialNumber);
  });

  test('the ServiceAccount signing keys are a matching EC P-256 pair, the private one readable by its owner only', async () => {
    const { publicKeyPath, privateKeyPath } = pki.serviceAccountKeys();
    const { stdout } = await execFileAsync('openssl', ['pkey', '-in', privateKeyPath, '-pubout']);
    expect(stdout).toBe(readFileSync(publicKeyPath, 'utf8'));
    expect(createPrivateKey(readFileSync(privateKeyPath)).asymmetricKeyDetails?.namedCurve).toBe(
      'prime256v1',
    );
    expect(statSync(privateKeyPath).mode & 0o777).toBe(0o600);
  });
});
