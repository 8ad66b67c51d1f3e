// Tests only: a self-signed certificate for 127.0.0.1 and localhost, made with openssl, so
// TLS tests run against a server whose certificate the client checks (trusting it as a CA).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalCertificate {
  key: string;
  cert: string;
}

/** A fresh key and certificate (about 50 ms: an EC key), for these subject alternative names. */
export function makeLocalCertificate(altNames = 'IP:127.0.0.1,DNS:localhost'): LocalCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'edgepost-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=edgepost test', '-addext', `subjectAltName=${altNames}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
