import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { ImapSite } from '../../contracts/imap.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import { MigrationError } from '../../errors/migration-error.js';

/** How long a started consent may take to come back (sign-in, MFA, consent screen). */
export const CONSENT_STATE_TTL_MS = 10 * 60_000;

export interface StartedConsent {
  /** The OAuth `state`: side, mailbox, nonce and expiry, sealed; the authority echoes it back. */
  state: string;
  /** Sealed {nonce, PKCE verifier}: an HttpOnly cookie, so only the browser that started can finish. */
  cookie: string;
  /** The S256 PKCE challenge sent to /authorize. */
  challenge: string;
}

export interface OpenedConsent {
  site: ImapSite;
  mailbox: string;
  verifier: string;
}

interface StateBody {
  s: ImapSite;
  m: string;
  n: string;
  e: number;
}

/**
 * Seals and opens the two halves of a consent round trip (authorization-code flow with PKCE)
 * with AES-256-GCM, under a key derived apart from the token caches' key from the same secret
 * (TOKEN_CACHE_KEY_NAME): nothing to provision, and a state can never be opened as a cache.
 * The app stays stateless between the two requests; a state that was altered, has expired,
 * or does not go with the cookie's nonce opens to undefined.
 */
export class ConsentSealer {
  private key?: Promise<Buffer>;

  constructor(
    private readonly secrets: SecretStore,
    private readonly keyName: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  private getKey(): Promise<Buffer> {
    if (!this.keyName) return Promise.reject(new MigrationError('SETTINGS_INVALID', 'permanent', 'TOKEN_CACHE_KEY_NAME is not set: the consent flow seals its state with the key it names'));
    this.key ??= this.secrets.getSecret(this.keyName).then((v) => createHash('sha256').update('mailmig consent state\0').update(v, 'utf8').digest());
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  async start(site: ImapSite, mailbox: string): Promise<StartedConsent> {
    const nonce = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const body: StateBody = { s: site, m: addressKey(mailbox), n: nonce, e: this.now() + CONSENT_STATE_TTL_MS };
    return {
      state: await this.seal('state', JSON.stringify(body)),
      cookie: await this.seal('verifier', JSON.stringify({ n: nonce, v: verifier })),
      challenge: createHash('sha256').update(verifier).digest('base64url'),
    };
  }

  async open(state: string, cookie: string): Promise<OpenedConsent | undefined> {
    const s = parse<StateBody>(await this.unseal('state', state));
    const c = parse<{ n: string; v: string }>(await this.unseal('verifier', cookie));
    if (!s || !c || typeof s.e !== 'number' || s.e < this.now() || s.n !== c.n) return undefined;
    if ((s.s !== 'source' && s.s !== 'destination') || typeof s.m !== 'string' || typeof c.v !== 'string') return undefined;
    return { site: s.s, mailbox: s.m, verifier: c.v };
  }

  private async seal(purpose: string, plain: string): Promise<string> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', await this.getKey(), iv);
    c.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
  }

  private async unseal(purpose: string, text: string): Promise<string | undefined> {
    const raw = Buffer.from(text, 'base64url');
    if (raw.length < 29) return undefined;
    const key = await this.getKey();
    try {
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(purpose));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
