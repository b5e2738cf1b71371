import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { entraControl, keyVaultControl } from '../lab/control.js';
import type { LabInfo } from '../lab/lab-info.js';

export const GOOGLE_MAIL_SCOPE = 'https://mail.google.com/';

export interface LabServiceAccount {
  /** The Key Vault secret holding the JSON key file. */
  secretName: string;
  keyFile: string;
  clientId: string;
  /** A line of the private key's PEM body: must never appear in any output. */
  keyLine: string;
}

/**
 * A Google service account registered with the lab's Google token endpoint (domain-wide
 * delegation of `scopes`, for `users`), its JSON key file stored in the lab Key Vault.
 */
export async function labServiceAccount(lab: LabInfo, users: string[], scopes: string[] = [GOOGLE_MAIL_SCOPE], expiresInSeconds?: number): Promise<LabServiceAccount> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const clientId = String(BigInt(`0x${randomBytes(8).toString('hex')}`));
  const clientEmail = `mailmig-${randomBytes(3).toString('hex')}@migration-project.iam.gserviceaccount.com`;
  const tokenUri = await entraControl.registerGoogleAccount(lab, {
    clientEmail,
    clientId,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    delegatedScopes: scopes,
    users,
    ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
  });
  const keyFile = JSON.stringify({ type: 'service_account', project_id: 'migration-project', private_key_id: randomBytes(20).toString('hex'), private_key: privateKeyPem, client_email: clientEmail, client_id: clientId, token_uri: tokenUri });
  const secretName = `google-key-${randomBytes(4).toString('hex')}`;
  await keyVaultControl.putSecret(lab, secretName, keyFile);
  return { secretName, keyFile, clientId, keyLine: privateKeyPem.split('\n')[1]! };
}

/** Settings over labSettings(): the source is Google Workspace through `secretName`. */
export const googleSourceSettings = (secretName: string): Record<string, string> => ({ SOURCE_AUTH: 'google-service-account', SOURCE_SERVICE_ACCOUNT_KEY_NAME: secretName, SOURCE_TOKEN_SCOPE: '' });
