import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';

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
