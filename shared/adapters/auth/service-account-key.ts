import { createPrivateKey } from 'node:crypto';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';

/** Google's token endpoint, where a key file does not name another. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** What the JWT bearer grant needs of a Google service account's JSON key file. */
export interface ServiceAccountKey {
  clientEmail: string;
  clientId: string;
  privateKeyPem: string;
  privateKeyId?: string;
  tokenUri: string;
}

/**
 * Reads the JSON key file (as created in the Google Cloud console, stored whole as one secret).
 * Nothing of the file is ever put in an error: the message names the secret and what is wrong.
 */
export function parseServiceAccountKey(text: string, secretName: string): ServiceAccountKey {
  const invalid = (what: string): MigrationError =>
    new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `service account key "${secretName}" ${what}: store the whole JSON key file of the service account (Google Cloud console > IAM > Service accounts > Keys > Add key > JSON) as this secret`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('is not a JSON object');
  const field = (name: string): string | undefined => {
    const v = (parsed as Record<string, unknown>)[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  if (field('type') !== 'service_account') throw invalid('is not a service account key (its "type" is not "service_account")');
  const clientEmail = field('client_email');
  const privateKeyPem = field('private_key');
  if (clientEmail === undefined || privateKeyPem === undefined) throw invalid('lacks "client_email" or "private_key"');
  registerSecret(privateKeyPem);
  try {
    createPrivateKey(privateKeyPem);
  } catch {
    throw invalid('holds a "private_key" that is not a readable PEM private key');
  }
  const tokenUri = field('token_uri') ?? GOOGLE_TOKEN_URI;
  if (!/^https:\/\//.test(tokenUri)) throw invalid('names a "token_uri" that is not https');
  const privateKeyId = field('private_key_id');
  return { clientEmail, clientId: field('client_id') ?? '', privateKeyPem, tokenUri, ...(privateKeyId === undefined ? {} : { privateKeyId }) };
}
