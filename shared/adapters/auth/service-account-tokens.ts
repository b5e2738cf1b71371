import { createSign } from 'node:crypto';
import type { SideSettings } from '../../config/settings.js';
import type { ImapSite } from '../../contracts/imap.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';
import { parseServiceAccountKey, type ServiceAccountKey } from './service-account-key.js';
import type { AccessToken } from './token-provider.js';

/** A token with less than this left is minted again before a new session logs in with it. */
const RENEW_BEFORE_MS = 5 * 60_000;
/** Google accepts assertions of at most an hour (RFC 7523 §3: exp bounds the assertion). */
const ASSERTION_LIFETIME_S = 3600;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

/**
 * Google Workspace tokens through a service account with domain-wide delegation: per mailbox, a
 * JWT bearer grant (RFC 7523) signed RS256 with the account's key, `sub` = the mailbox, the
 * side's scope. Tokens are kept per mailbox and minted again when less than RENEW_BEFORE_MS is
 * left (they live an hour), so a long pass logs its new sessions in with a fresh one.
 */
export class ServiceAccountTokens {
  private key?: Promise<ServiceAccountKey>;
  private readonly tokens = new Map<string, AccessToken>();
  private readonly pending = new Map<string, Promise<AccessToken>>();

  constructor(
    private readonly side: SideSettings,
    private readonly secrets: SecretStore,
    private readonly site: ImapSite = 'source',
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(mailbox: string): Promise<AccessToken> {
    const id = addressKey(mailbox);
    const held = this.tokens.get(id);
    if (held && held.expiresOnMs - this.now() > RENEW_BEFORE_MS) return held;
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const minted = this.mint(mailbox).finally(() => this.pending.delete(id));
    this.pending.set(id, minted);
    const token = await minted;
    this.tokens.set(id, token);
    return token;
  }

  /** The JWT the grant sends (exported for tests: signature and claims as Google checks them). */
  assertion(key: ServiceAccountKey, mailbox: string): string {
    const iat = Math.floor(this.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) };
    const claims = { iss: key.clientEmail, sub: mailbox, scope: this.side.tokenScope, aud: key.tokenUri, iat, exp: iat + ASSERTION_LIFETIME_S };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKeyPem);
    const jwt = `${signingInput}.${b64url(signature)}`;
    registerSecret(jwt);
    return jwt;
  }

  private readKey(): Promise<ServiceAccountKey> {
    if (!this.key) {
      const name = this.side.serviceAccountKeyName ?? '';
      this.key = this.secrets.getSecret(name).then((text) => parseServiceAccountKey(text, name));
      this.key.catch(() => (this.key = undefined));
    }
    return this.key;
  }

  private async mint(mailbox: string): Promise<AccessToken> {
    const key = await this.readKey();
    const body = new URLSearchParams({ grant_type: JWT_BEARER, assertion: this.assertion(key, mailbox) });
    let res: Response;
    try {
      res = await fetch(key.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw new MigrationError('TOKEN_REQUEST_FAILED', 'transient', `${this.site} token endpoint (Google) could not be reached`, { cause: e });
    }
    const answer = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (res.ok && typeof answer.access_token === 'string') {
      registerSecret(answer.access_token);
      const seconds = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
      return { token: answer.access_token, expiresOnMs: this.now() + seconds * 1000 };
    }
    throw this.refusal(res, String(answer.error ?? ''), String(answer.error_description ?? '').slice(0, 300), key, mailbox);
  }

  /** Google's answer, as a cause and the fix (the key, the delegation, or this one mailbox). */
  private refusal(res: Response, error: string, description: string, key: ServiceAccountKey, mailbox: string): MigrationError {
    const prefix = this.site.toUpperCase();
    const where = `${this.site} token endpoint (Google): ${error}${description ? ` (${description})` : ''}`;
    if (res.status === 429 || res.status >= 500) {
      const seconds = Number(res.headers.get('retry-after'));
      return new MigrationError(res.status === 429 ? 'TOKEN_THROTTLED' : 'TOKEN_REQUEST_FAILED', res.status === 429 ? 'throttled' : 'transient', where, Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {});
    }
    if (error === 'unauthorized_client') {
      return new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `${where}. Domain-wide delegation is not allowed for this service account and scope: in the Google Admin console (Security > Access and data control > API controls > Domain-wide delegation) add client ID ${key.clientId || '(the "client_id" of the key file)'} with the scope ${this.side.tokenScope}.`);
    }
    if (error === 'invalid_grant' && /email|user id/i.test(description)) {
      return new MigrationError('IMAP_AUTH_FAILED', 'permanent', `${where}. Google does not know ${mailbox} as a user of the domain: check the address in the CSV.`);
    }
    if (error === 'invalid_grant' || error === 'invalid_client') {
      return new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `${where}. The key was refused (deleted, disabled or not this account's): create a new JSON key for ${key.clientEmail} and store it as ${prefix}_SERVICE_ACCOUNT_KEY_NAME.`);
    }
    if (error === 'invalid_scope') {
      return new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `${where}. Check ${prefix}_TOKEN_SCOPE (https://mail.google.com/ for IMAP).`);
    }
    return new MigrationError('TOKEN_REQUEST_FAILED', res.status >= 400 && res.status < 500 ? 'permanent' : 'transient', where);
  }
}
