import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GOOGLE_TOKEN_URI, parseServiceAccountKey } from '../../../../shared/adapters/auth/service-account-key.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const file = (over: Record<string, unknown> = {}): string => JSON.stringify({ type: 'service_account', client_email: 'mig@p.iam.gserviceaccount.com', client_id: '1234', private_key: pem, ...over });

function refusal(text: string): MigrationError {
  try {
    parseServiceAccountKey(text, 'google-key');
  } catch (e) {
    if (e instanceof MigrationError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('a Google service account JSON key file', () => {
  it("is read with Google's token endpoint where the file names none", () => {
    expect(parseServiceAccountKey(file(), 'google-key')).toMatchObject({ clientEmail: 'mig@p.iam.gserviceaccount.com', clientId: '1234', tokenUri: GOOGLE_TOKEN_URI });
  });

  it('is refused, naming the secret and what is wrong but quoting nothing of it, when it is no key file', () => {
    const broken = pem.replace(/[A-Za-z]{20}/, 'x');
    for (const [text, what] of [
      ['not json', 'is not JSON'],
      [file({ type: 'authorized_user' }), 'is not a service account key'],
      [file({ private_key: undefined }), 'lacks "client_email" or "private_key"'],
      [file({ private_key: broken }), 'holds a "private_key" that is not a readable PEM private key'],
      [file({ token_uri: 'http://example.org/token' }), 'names a "token_uri" that is not https'],
    ] as const) {
      const e = refusal(text);
      expect(e).toMatchObject({ code: 'TOKEN_INVALID_CLIENT', errorClass: 'permanent' });
      expect(e.message).toContain(`service account key "google-key" ${what}`);
      expect(e.message).not.toContain('PRIVATE KEY');
      expect(e.message).not.toContain(pem.split('\n')[1]!);
    }
  });
});
