/**
 * Self-signed test certificates, made with the openssl CLI (node has no API to create
 * certificates). EC P-256, so it takes milliseconds. Valid for 127.0.0.1 and localhost.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  /** path of the certificate PEM: usable as a CA file (it is self-signed with CA:TRUE) */
  certFile: string;
  /** "AA:BB:…", as tls getPeerCertificate().fingerprint256 */
  fingerprint256: string;
  dir: string;
}

export function makeSelfSignedCert(cn = '127.0.0.1'): TestCert {
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', `/CN=${cn}`,
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(`test certificates need the openssl CLI: ${(err as Error).message}`);
  }
  const cert = readFileSync(certFile, 'utf8');
  return { key: readFileSync(keyFile, 'utf8'), cert, certFile, fingerprint256: new X509Certificate(cert).fingerprint256, dir };
}
