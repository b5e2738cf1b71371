import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.js';
import { AppTokenProvider } from '../../../../shared/adapters/auth/token-provider.js';
import { readTokenClaims } from '../../../../shared/domain/tokens/read-token-claims.js';
import { keyVaultCredential } from '../../../../shared/adapters/secrets/key-vault-credential.js';
import { KeyVaultSecretStore } from '../../../../shared/adapters/secrets/key-vault-secret-store.js';
import { ImapSession } from '../../../../shared/adapters/imap/imap-session.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { entraControl, keyVaultControl } from '../../../lab/control.js';
import { addMailbox, uniqueAddress } from '../../../lab/mailboxes.js';

/** A fresh app per test: its own secret in the vault, its own token lifetime and request counter. */
async function providerFor(expiresInSeconds: number): Promise<{ provider: AppTokenProvider; clientId: string }> {
  const lab = getLab();
  const app = await entraControl.registerApp(lab, { expiresInSeconds });
  const secretName = `tp-${app.clientId.slice(0, 8)}`;
  await keyVaultControl.putSecret(lab, secretName, app.clientSecret!);
  const env = labSettings(lab, { SOURCE_CLIENT_ID: app.clientId, SOURCE_CLIENT_SECRET_NAME: secretName });
  const settings = loadSettings(env);
  const secrets = new KeyVaultSecretStore(settings.keyVaultUrl!, keyVaultCredential(env));
  return { provider: new AppTokenProvider(settings.source, secrets), clientId: app.clientId };
}

describe('app-only tokens through MSAL against the local Entra endpoint', () => {
  it('AppTokenProvider: a token with more than 5 minutes left comes from the cache (one request for three sessions)', async () => {
    const { provider, clientId } = await providerFor(3599);
    const tokens = [await provider.getToken(), await provider.getToken(), await provider.getToken()];
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect((await entraControl.stats(getLab())).requests[clientId]).toBe(1);
    const claims = readTokenClaims(tokens[0]!.token);
    expect(claims.aud).toBe('https://outlook.office365.com');
    expect(claims.roles).toContain('IMAP.AccessAsApp');
  });

  it('AppTokenProvider: a token with less than 5 minutes left is refreshed before use (a request each time)', async () => {
    const { provider, clientId } = await providerFor(299);
    const a = await provider.getToken();
    const b = await provider.getToken();
    expect(a.token).not.toBe(b.token);
    expect((await entraControl.stats(getLab())).requests[clientId]).toBe(2);
    expect(b.expiresOnMs - Date.now()).toBeLessThan(300_000);
  });

  it('ImapSession: STARTTLS on the plain port works; implicit TLS against it fails as a classified connection error', async () => {
    const lab = getLab();
    const box = uniqueAddress('tls');
    await addMailbox(lab, 'destination', box);
    const env = labSettings(lab, { DESTINATION_IMAP_TLS: 'starttls', DESTINATION_IMAP_PORT: String(lab.imap.destination.starttlsPort) });
    const settings = loadSettings(env);
    const secrets = new KeyVaultSecretStore(settings.keyVaultUrl!, keyVaultCredential(env));
    const token = await new AppTokenProvider(settings.destination, secrets).getToken();
    const s = await ImapSession.open(settings.destination, { user: box, accessToken: token.token }, 'destination');
    expect((await s.listFolders()).map((f) => f.path)).toContain('INBOX');
    await s.close();
    const wrong = { ...settings.destination, tls: 'implicit' as const };
    const err = await ImapSession.open(wrong, { user: box, accessToken: token.token }, 'destination', { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).message).not.toContain(token.token);
  });
});
