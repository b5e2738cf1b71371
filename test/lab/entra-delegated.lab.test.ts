import { randomUUID } from 'node:crypto';
import { PublicClientApplication, type ICachePlugin, type TokenCacheContext } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { entraControl } from './control.js';
import { decodeJwt } from './jwt.js';
import { getLab } from './lab-info.js';
import { addMailbox, uniqueAddress } from './mailboxes.js';
import { withImap } from './imap.js';

// The lab's delegated grants driven by the real MSAL public client: the device code flow on the
// `consumers` authority (personal accounts), the refresh-token grant behind acquireTokenSilent,
// MSAL's cache carried between two client instances by a cache plugin, and a revoked grant.

const lab = getLab();
const IMAP_SCOPES = ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access'];

/** A cache plugin keeping MSAL's serialized cache in `store.text` (a stand-in for a per-mailbox blob). */
function memoryCache(store: { text?: string }): ICachePlugin {
  return {
    beforeCacheAccess: (ctx: TokenCacheContext): Promise<void> => {
      if (store.text !== undefined) ctx.tokenCache.deserialize(store.text);
      return Promise.resolve();
    },
    afterCacheAccess: (ctx: TokenCacheContext): Promise<void> => {
      if (ctx.cacheHasChanged) store.text = ctx.tokenCache.serialize();
      return Promise.resolve();
    },
  };
}

function client(clientId: string, authority: string, store: { text?: string }): PublicClientApplication {
  const host = new URL(lab.entra.authorityHost).host;
  return new PublicClientApplication({
    auth: { clientId, authority: `${lab.entra.authorityHost}/${authority}`, knownAuthorities: [host] },
    cache: { cachePlugin: memoryCache(store) },
    system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => undefined } },
  });
}

describe('delegated grants of the lab Entra, with MSAL', () => {
  it('device code on consumers: one code, granted by the user, then silent renewals by refresh token from a second client sharing the cache; a revoked grant needs consent again', async () => {
    const clientId = randomUUID();
    const user = uniqueAddress('personal', 'outlook.example');
    await addMailbox(lab, 'source', user);
    const store: { text?: string } = {};
    const messages: string[] = [];
    const first = client(clientId, 'consumers', store);
    const granted = await first.acquireTokenByDeviceCode({
      scopes: IMAP_SCOPES,
      deviceCodeCallback: (r) => {
        messages.push(r.message);
        void entraControl.approveDeviceCode(lab, r.userCode, user);
      },
    });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/devicelogin and enter the code [0-9A-F]{9}/);
    expect(granted?.account?.username).toBe(user);
    expect(granted?.account?.tenantId).toBe('9188040d-6c67-4c5b-b112-36a304b66dad');
    expect(decodeJwt(granted!.accessToken)?.claims).toMatchObject({ scp: 'IMAP.AccessAsUser.All', upn: user });
    // The token opens the mailbox over XOAUTH2.
    await withImap(lab, 'source', user, async (c) => expect(await c.mailboxOpen('INBOX')).toMatchObject({ exists: 0 }), { accessToken: granted!.accessToken });
    expect(store.text).toContain('RefreshToken');

    // Another process: a new client whose cache plugin reads what the first one wrote.
    const second = client(clientId, 'consumers', store);
    const [account] = await second.getTokenCache().getAllAccounts();
    expect(account?.username).toBe(user);
    const renewed = await second.acquireTokenSilent({ account: account!, scopes: IMAP_SCOPES, forceRefresh: true });
    expect(renewed.accessToken).not.toBe(granted!.accessToken);
    const again = await second.acquireTokenSilent({ account: account!, scopes: IMAP_SCOPES, forceRefresh: true });
    expect(again.accessToken).not.toBe(renewed.accessToken);
    expect((await entraControl.delegatedStats(lab)).issued[user.toLowerCase()]).toEqual({ deviceCode: 1, refreshToken: 2 });

    await entraControl.revokeUser(lab, user);
    const refused = await second.acquireTokenSilent({ account: account!, scopes: IMAP_SCOPES, forceRefresh: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // MSAL reports Entra's invalid_grant as a ServerError: the grant is gone, consent is needed again.
    expect(refused).toMatchObject({ errorCode: 'invalid_grant', errorMessage: expect.stringContaining('AADSTS50173') as string });
  }, 60_000);

  it('a rotated refresh token is good once: the old one, presented again, is refused', async () => {
    const clientId = randomUUID();
    const user = uniqueAddress('rotate', 'outlook.example');
    const store: { text?: string } = {};
    const app = client(clientId, 'organizations', store);
    await app.acquireTokenByDeviceCode({ scopes: IMAP_SCOPES, deviceCodeCallback: (r) => void entraControl.approveDeviceCode(lab, r.userCode, user) });
    const before = store.text!;
    const [account] = await app.getTokenCache().getAllAccounts();
    await app.acquireTokenSilent({ account: account!, scopes: IMAP_SCOPES, forceRefresh: true });
    // A stale copy of the cache (the refresh token already used) no longer works.
    const stale = client(clientId, 'organizations', { text: before });
    const [old] = await stale.getTokenCache().getAllAccounts();
    await expect(stale.acquireTokenSilent({ account: old!, scopes: IMAP_SCOPES, forceRefresh: true })).rejects.toMatchObject({ errorCode: 'invalid_grant' });
  }, 60_000);

  it('a user who declines: the device code flow ends with authorization_declined', async () => {
    const app = client(randomUUID(), 'consumers', {});
    const declined = await app
      .acquireTokenByDeviceCode({ scopes: IMAP_SCOPES, deviceCodeCallback: (r) => void entraControl.approveDeviceCode(lab, r.userCode, 'someone@outlook.example', true) })
      .then(
        () => undefined,
        (e: unknown) => e as { errorCode?: string; errorMessage?: string },
      );
    // MSAL wraps every polling error but authorization_pending as post_request_failed, Entra's error as the message.
    expect(declined).toMatchObject({ errorCode: 'post_request_failed', errorMessage: 'authorization_declined' });
  }, 60_000);
});

describe('the lab Entra\'s /authorize', () => {
  it('requires response_type=code and an S256 PKCE challenge, and sends the browser back with a code and the state', async () => {
    const base = `${lab.entra.authorityHost}/consumers/oauth2/v2.0/authorize`;
    const q = (extra: Record<string, string>): string => `${base}?${new URLSearchParams({ client_id: randomUUID(), redirect_uri: 'https://app.example/cb', response_type: 'code', login_hint: 'a@outlook.example', state: 's1', ...extra }).toString()}`;
    expect((await fetch(q({ code_challenge: 'x', code_challenge_method: 'plain' }), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(q({}), { redirect: 'manual' })).status).toBe(400);
    const ok = await fetch(q({ code_challenge: 'x', code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(ok.status).toBe(302);
    const back = new URL(ok.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe('https://app.example/cb');
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.get('code')).toMatch(/^0\.lab\.code\./);
  });
});
