import { X509Certificate, createPrivateKey } from 'node:crypto';
import { MigrationError } from '../../errors/migration-error.js';

export type ClientCredential =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; privateKey: string; thumbprintSha256: string; x5c: string };

const KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * A Key Vault certificate is read as the secret of the same name: a PEM bundle holding the
 * private key and the certificate (contentType application/x-pem-file). PKCS#12 bundles are not
 * accepted here: import the certificate into Key Vault as PEM.
 */
export function certificateCredential(pem: string, name: string): Extract<ClientCredential, { kind: 'certificate' }> {
  const key = KEY_BLOCK.exec(pem)?.[0];
  const cert = CERT_BLOCK.exec(pem)?.[0];
  if (!key || !cert) {
    throw new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `certificate "${name}" must be a PEM bundle with a private key and a certificate (import it into Key Vault as PEM)`);
  }
  try {
    createPrivateKey(key);
    const x509 = new X509Certificate(cert);
    return {
      kind: 'certificate',
      privateKey: key,
      thumbprintSha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
      // MSAL reads x5c as PEM and sends its certificate blocks in the assertion header.
      x5c: cert,
    };
  } catch {
    throw new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `certificate "${name}" could not be read as PEM`);
  }
}
