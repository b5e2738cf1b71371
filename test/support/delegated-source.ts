import { randomBytes, randomUUID } from 'node:crypto';
import { keyVaultControl } from '../lab/control.js';
import type { LabInfo } from '../lab/lab-info.js';

/** A new token-cache key in the lab's Key Vault (a long random string, as an admin creates it); its name. */
export async function newTokenCacheKey(lab: LabInfo): Promise<string> {
  const name = `token-cache-key-${randomBytes(4).toString('hex')}`;
  await keyVaultControl.putSecret(lab, name, randomBytes(32).toString('base64url'));
  return name;
}

/** Settings of a source whose mailbox owners consent (oauth2-delegated) with personal accounts (`consumers`). */
export function delegatedConsumerSource(tokenCacheKeyName: string): Record<string, string> {
  return {
    SOURCE_AUTH: 'oauth2-delegated',
    SOURCE_TENANT_ID: 'consumers',
    SOURCE_CLIENT_ID: randomUUID(),
    SOURCE_TOKEN_SCOPE: '',
    SOURCE_CLIENT_SECRET_NAME: '',
    TOKEN_CACHE_KEY_NAME: tokenCacheKeyName,
  };
}
