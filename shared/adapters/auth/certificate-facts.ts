import { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from '../../contracts/certificate-reader.js';
import { certificateCredential } from './client-credential.js';

/** The engine's CertificateReader: the bundle parsed exactly as AppTokenProvider parses it, then described. */
export function certificateFacts(pem: string, name: string): CertificateFacts {
  const cred = certificateCredential(pem, name);
  const x509 = new X509Certificate(cred.x5c);
  return { subject: x509.subject.replace(/\n/g, ', '), thumbprintSha256: cred.thumbprintSha256, validTo: new Date(x509.validTo) };
}
