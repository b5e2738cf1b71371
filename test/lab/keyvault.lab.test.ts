import { randomBytes } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { describe, expect, test } from 'vitest';
import { entraControl, keyVaultControl } from './control.js';
import { getLab, type LabInfo } from './lab-info.js';
import { mintToken } from './tokens.js';

/** The options the engine's Key Vault adapter copies (LabInfo.clients). */
function secretClient(info: LabInfo, app?: { clientId: string; clientSecret: string }): SecretClient {
  const c = info.clients.credential;
  const credential = new ClientSecretCredential(c.tenantId, app?.clientId ?? c.clientId, app?.clientSecret ?? c.clientSecret, c.options);
  // Short retry delays keep the fault test fast; the SDK's default policy is otherwise unchanged.
  return new SecretClient(info.clients.secretClient.vaultUrl, credential, { ...info.clients.secretClient.options, retryOptions: { retryDelayInMs: 20 } });
}

const uniqueName = (what: string): string => `${what}-${process.pid}-${randomBytes(3).toString('hex')}`;

interface RestErrorLike {
  name: string;
  statusCode?: number;
  code?: string;
  message: string;
}

async function restError(p: Promise<unknown>): Promise<RestErrorLike> {
  try {
    await p;
  } catch (err) {
    return err as RestErrorLike;
  }
  throw new Error('expected the call to fail');
}

describe('lab Key Vault with the real SecretClient', () => {
  const info = getLab();

  test('reads a pre-seeded client secret after the 401 challenge, with the options in LabInfo', async () => {
    const before = await keyVaultControl.stats(info);
    const secret = await secretClient(info).getSecret(info.keyVault.secrets.sourceClientSecret);
    expect(secret.value).toBe(info.entra.clients.migration.clientSecret);
    expect(secret.properties.id).toMatch(new RegExp(`^${info.keyVault.url}/secrets/source-client-secret/[0-9a-f]{32}$`));
    expect(secret.properties.enabled).toBe(true);
    expect((await keyVaultControl.stats(info)).challenged).toBeGreaterThan(before.challenged);
  });

  test("a certificate's secret is its PEM key + certificate, and that PEM gets an IMAP token from MSAL", async () => {
    const secret = await secretClient(info).getSecret(info.keyVault.secrets.sourceClientCert);
    expect(secret.properties.contentType).toBe('application/x-pem-file');
    const pem = secret.value ?? '';
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0];
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    expect(key).toBeDefined();
    expect(cert).toBeDefined();
    const c = info.entra.clients.certificate;
    const cca = new ConfidentialClientApplication({
      auth: { ...info.clients.msal, clientId: c.clientId, clientCertificate: { thumbprintSha256: c.thumbprintSha256, privateKey: key!, x5c: cert! } },
    });
    await expect(cca.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] })).resolves.toBeTruthy();
  });

  test('a missing secret fails with RestError statusCode 404, code SecretNotFound', async () => {
    const err = await restError(secretClient(info).getSecret(uniqueName('missing')));
    expect(err).toMatchObject({ name: 'RestError', statusCode: 404, code: 'SecretNotFound' });
  });

  test('setSecret adds versions: the latest is returned by default, an older one by its version', async () => {
    const client = secretClient(info);
    const name = uniqueName('versions');
    const v1 = await client.setSecret(name, 'one');
    await client.setSecret(name, 'two');
    expect((await client.getSecret(name)).value).toBe('two');
    expect((await client.getSecret(name, { version: v1.properties.version! })).value).toBe('one');
  });

  test('secrets put and deleted through the control API are seen by the SDK', async () => {
    const name = uniqueName('control');
    await keyVaultControl.putSecret(info, name, 'p@ss');
    expect((await secretClient(info).getSecret(name)).value).toBe('p@ss');
    await keyVaultControl.deleteSecret(info, name);
    expect((await restError(secretClient(info).getSecret(name))).code).toBe('SecretNotFound');
  });

  test('an app without a role assignment on the vault gets 403 Forbidden', async () => {
    const app = await entraControl.registerApp(info, { roles: {} });
    const err = await restError(secretClient(info, { clientId: app.clientId, clientSecret: app.clientSecret! }).getSecret(info.keyVault.secrets.sourceClientSecret));
    expect(err).toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  test('a queued 503 is retried by the SDK and the read succeeds; the counter shows both requests', async () => {
    const name = uniqueName('flaky');
    await keyVaultControl.putSecret(info, name, 'v');
    await keyVaultControl.fault(info, { secretName: name, status: 503, count: 1 });
    expect((await secretClient(info).getSecret(name)).value).toBe('v');
    expect((await keyVaultControl.stats(info)).bySecret[name]).toBe(2);
  });

  test('a token for another audience, or signed by an unknown key, is refused with 401 and a new challenge', async () => {
    for (const token of [mintToken(info), mintToken(info, { audience: 'https://vault.azure.net', key: 'untrusted' })]) {
      const res = await fetch(`${info.keyVault.url}/secrets/${info.keyVault.secrets.sourceClientSecret}?api-version=7.5`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer authorization="${info.entra.authority}", resource="https://vault.azure.net"`);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
    }
  });
});
