/** What preflight shows of a certificate credential: never its private key. */
export interface CertificateFacts {
  subject: string;
  thumbprintSha256: string;
  validTo: Date;
}

/**
 * Reads a certificate bundle from Key Vault the way the token provider will use it (an adapter:
 * shared/adapters/auth/certificate-facts.ts); throws TOKEN_INVALID_CLIENT when it is not usable.
 */
export type CertificateReader = (pem: string, name: string) => CertificateFacts;
