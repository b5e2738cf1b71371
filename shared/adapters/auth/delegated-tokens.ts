import type { AccountInfo, ICachePlugin, PublicClientApplication, TokenCacheContext } from '@azure/msal-node';
import type { SideSettings } from '../../config/settings.js';
import type { ImapSite } from '../../contracts/imap.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { classify } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';
import type { TokenCacheStore } from './token-cache-store.js';
import { MICROSOFT_AUTHORITY_HOSTS, type AccessToken } from './token-provider.js';

/** Entra's answers that mean the grant is gone (revoked, expired, password reset, consent withdrawn). */
const GRANT_GONE = /invalid_grant|interaction_required|consent_required|login_required|AADSTS(50173|700082|65001|50076|50079)/;

/**
 * Delegated tokens (the mailbox's owner consented once, `mailmig login`): one MSAL public client
 * per mailbox, its cache (the refresh token) kept by `store` through MSAL's cache plugin, read
 * before and written after every MSAL call. acquireTokenSilent serves the cached access token
 * while it has more than 5 minutes left and redeems the refresh token otherwise, so every new
 * session (also one opened mid-range after a drop) logs in with a live token. A grant that is
 * gone is CONSENT_NEEDED for that mailbox only, with the command that fixes it.
 */
export class DelegatedTokens {
  private readonly apps = new Map<string, Promise<PublicClientApplication>>();

  constructor(
    private readonly side: SideSettings,
    private readonly store: TokenCacheStore,
    private readonly site: ImapSite = 'source',
    /** Where the owner gives consent; the CLI's `mailmig login` when not given. */
    private readonly consentHint?: (site: ImapSite, mailbox: string) => string,
  ) {}

  private get scopes(): string[] {
    return this.side.tokenScope.split(' ').filter((s) => s !== '');
  }

  async getToken(mailbox: string): Promise<AccessToken> {
    const app = await this.app(mailbox);
    const account = await this.account(app, mailbox);
    if (!account) throw this.consentNeeded(mailbox, 'no consent was given yet');
    try {
      const r = await app.acquireTokenSilent({ account, scopes: this.scopes });
      registerSecret(r.accessToken);
      return { token: r.accessToken, expiresOnMs: r.expiresOn ? r.expiresOn.getTime() : 0 };
    } catch (e) {
      const text = `${(e as { errorCode?: string }).errorCode ?? ''} ${(e as { errorMessage?: string }).errorMessage ?? ''}`;
      if (GRANT_GONE.test(text)) throw this.consentNeeded(mailbox, 'the consent was revoked or has expired');
      throw classify(e, 'token');
    }
  }

  /**
   * The device code flow for one mailbox: `show` gets the sign-in message (URL and code); polls
   * until the owner signs in or the code expires. Refuses a sign-in as another account.
   */
  async login(mailbox: string, show: (message: string) => void): Promise<void> {
    const app = await this.app(mailbox);
    const r = await app.acquireTokenByDeviceCode({ scopes: this.scopes, deviceCodeCallback: (c) => show(c.message) }).catch((e: unknown) => {
      throw new MigrationError('CONSENT_NEEDED', 'permanent', `${this.site} sign-in for ${mailbox} did not complete: ${(e as { errorMessage?: string }).errorMessage ?? (e as Error).message}`);
    });
    if (r) registerSecret(r.accessToken);
    await this.refuseOtherAccount(app, mailbox, r?.account);
  }

  /** The authorization-code flow's sign-in URL for one mailbox (PKCE S256, the app's sealed state). */
  async authorizeUrl(mailbox: string, p: { redirectUri: string; challenge: string; state: string }): Promise<string> {
    const app = await this.app(mailbox);
    return app.getAuthCodeUrl({ scopes: this.scopes, redirectUri: p.redirectUri, codeChallenge: p.challenge, codeChallengeMethod: 'S256', state: p.state, loginHint: mailbox });
  }

  /**
   * Redeems the code the owner's sign-in brought back (with the PKCE verifier); the cache plugin
   * stores the grant. Refuses a sign-in as another account, as login() does.
   */
  async redeemCode(mailbox: string, p: { code: string; verifier: string; redirectUri: string }): Promise<void> {
    const app = await this.app(mailbox);
    const r = await app.acquireTokenByCode({ code: p.code, codeVerifier: p.verifier, redirectUri: p.redirectUri, scopes: this.scopes }).catch((e: unknown) => {
      throw new MigrationError('CONSENT_NEEDED', 'permanent', `${this.site} sign-in for ${mailbox} was refused by the authority: ${(e as { errorCode?: string }).errorCode ?? 'error'}`);
    });
    registerSecret(r.accessToken);
    await this.refuseOtherAccount(app, mailbox, r.account);
  }

  private async refuseOtherAccount(app: PublicClientApplication, mailbox: string, account: AccountInfo | null | undefined): Promise<void> {
    const who = account?.username ?? '';
    if (addressKey(who) === addressKey(mailbox)) return;
    // Another account's grant must not serve this mailbox: forget it.
    if (account) await app.getTokenCache().removeAccount(account);
    throw new MigrationError('CONSENT_NEEDED', 'permanent', `${this.site} sign-in for ${mailbox} was made as ${who || 'another account'}: sign in as ${mailbox}`);
  }

  private async account(app: PublicClientApplication, mailbox: string): Promise<AccountInfo | undefined> {
    return (await app.getTokenCache().getAllAccounts()).find((a) => addressKey(a.username) === addressKey(mailbox));
  }

  private consentNeeded(mailbox: string, why: string): MigrationError {
    const fix = this.consentHint
      ? this.consentHint(this.site, mailbox)
      : `Run: mailmig login --csv <the CSV> --side ${this.site}, and have the mailbox's owner sign in with the code it shows`;
    return new MigrationError('CONSENT_NEEDED', 'permanent', `consent needed for ${mailbox} (${this.site}): ${why}. ${fix}`);
  }

  private app(mailbox: string): Promise<PublicClientApplication> {
    const id = addressKey(mailbox);
    let app = this.apps.get(id);
    if (!app) {
      app = this.createApp(mailbox);
      this.apps.set(id, app);
      app.catch(() => this.apps.delete(id));
    }
    return app;
  }

  private async createApp(mailbox: string): Promise<PublicClientApplication> {
    const store = this.store;
    const site = this.site;
    const plugin: ICachePlugin = {
      beforeCacheAccess: async (ctx: TokenCacheContext) => {
        const text = await store.read(site, mailbox);
        if (text !== undefined) ctx.tokenCache.deserialize(text);
      },
      afterCacheAccess: async (ctx: TokenCacheContext) => {
        if (ctx.cacheHasChanged) await store.write(site, mailbox, ctx.tokenCache.serialize());
      },
    };
    const host = new URL(this.side.authorityHost);
    const { PublicClientApplication: Client } = await import('@azure/msal-node');
    return new Client({
      auth: {
        clientId: this.side.clientId ?? '',
        authority: `${this.side.authorityHost}/${this.side.tenantId ?? 'organizations'}`,
        ...(MICROSOFT_AUTHORITY_HOSTS.test(host.hostname) ? {} : { knownAuthorities: [host.host] }),
      },
      cache: { cachePlugin: plugin },
      system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => undefined } },
    });
  }
}
