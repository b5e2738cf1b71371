import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { classify } from '../../errors/classify.js';
import { registerSecret } from '../../errors/redact.js';
import type { SecretStore } from './secret-store.js';

const AZURE_CLOUD_VAULT = /\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/i;
const AZURE_AUTHORITIES = /^https:\/\/login\.(microsoftonline\.com|microsoftonline\.us|chinacloudapi\.cn|partner\.microsoftonline\.cn)\/?$/i;

/**
 * The credential Key Vault is read with. In Azure: DefaultAzureCredential (the user-assigned
 * managed identity named by AZURE_CLIENT_ID). For local runs and the lab: a client secret from
 * the standard AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET / AZURE_AUTHORITY_HOST
 * variables; instance discovery is off when the authority is not a Microsoft cloud.
 */
export function keyVaultCredential(env: Readonly<Record<string, string | undefined>>): TokenCredential {
  const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret, AZURE_AUTHORITY_HOST: authorityHost } = env;
  if (tenant && clientId && secret) {
    return new ClientSecretCredential(tenant, clientId, secret, {
      ...(authorityHost ? { authorityHost } : {}),
      disableInstanceDiscovery: authorityHost !== undefined && !AZURE_AUTHORITIES.test(authorityHost),
    });
  }
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

/** Secrets from Key Vault through the real SecretClient, cached per process (one read per name). */
export class KeyVaultSecretStore implements SecretStore {
  private readonly client: SecretClient;
  private readonly cache = new Map<string, Promise<string>>();

  constructor(vaultUrl: string, credential: TokenCredential) {
    const host = new URL(vaultUrl).hostname;
    this.client = new SecretClient(vaultUrl, credential, {
      // Off only for vaults outside Azure's domains (the local lab); kept on in Azure.
      disableChallengeResourceVerification: !AZURE_CLOUD_VAULT.test(host),
    });
  }

  getSecret(name: string): Promise<string> {
    let p = this.cache.get(name);
    if (!p) {
      p = this.read(name);
      this.cache.set(name, p);
      // A failed read is not cached: the next attempt asks again.
      p.catch(() => this.cache.delete(name));
    }
    return p;
  }

  private async read(name: string): Promise<string> {
    try {
      const s = await this.client.getSecret(name);
      if (s.value === undefined || s.value === '') throw Object.assign(new Error(`secret "${name}" is empty`), { code: 'SecretNotFound' });
      registerSecret(s.value);
      return s.value;
    } catch (e) {
      const err = classify(e, 'keyvault');
      throw Object.assign(err, { message: `${err.message} (secret "${name}")` });
    }
  }
}
