import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-util.js';
import { decodeJwt, nowSeconds, verifyJwtSignature } from './jwt.js';

/**
 * A local stand-in for Google's OAuth token endpoint (`POST https://oauth2.googleapis.com/token`)
 * for service accounts with domain-wide delegation: the JWT bearer grant (RFC 7523), checked as
 * Google checks it — RS256 signature with the account's registered public key, `aud` = this
 * endpoint, a lifetime of at most an hour, `sub` a user of the domain, every requested scope
 * delegated to the account's client ID — answered with Google's error JSON. Served by the lab's
 * token server under `/google/token`; accounts are registered through `/_lab/google/accounts`.
 * The access token it issues is one the lab's Dovecot accepts over XOAUTH2 (an app token of the
 * lab tenant, `appid` = the account's client ID, `sub` = the user).
 */

export interface GoogleServiceAccount {
  clientEmail: string;
  clientId: string;
  publicKeyPem: string;
  /** Scopes the Admin console delegates to this client ID (none: delegation not set up). */
  delegatedScopes: string[];
  /** Users of the domain; a `sub` outside them is "Invalid email or User ID". */
  users: string[];
  expiresInSeconds?: number;
}

export interface GoogleTokenStats {
  /** Tokens issued per `sub` (lower-cased). */
  issued: Record<string, number>;
  /** Refusals per Google error code. */
  refused: Record<string, number>;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

export class GoogleTokenEndpoint {
  private readonly accounts = new Map<string, GoogleServiceAccount>();
  readonly stats: GoogleTokenStats = { issued: {}, refused: {} };

  constructor(
    /** This endpoint's URL (the assertion's `aud`). */
    private readonly tokenUri: () => string,
    /** An access token for `sub`, valid at the lab's IMAP servers. */
    private readonly issue: (account: GoogleServiceAccount, sub: string, expiresInSeconds: number) => string,
  ) {}

  register(account: GoogleServiceAccount): void {
    this.accounts.set(account.clientEmail, account);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    try {
      if (form.get('grant_type') !== JWT_BEARER) throw new GoogleError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
      const { account, sub, scopes } = this.check(form.get('assertion') ?? '');
      const expiresIn = account.expiresInSeconds ?? 3599;
      const key = sub.toLowerCase();
      this.stats.issued[key] = (this.stats.issued[key] ?? 0) + 1;
      sendJson(res, 200, { access_token: this.issue(account, sub, expiresIn), expires_in: expiresIn, token_type: 'Bearer', scope: scopes.join(' ') });
    } catch (e) {
      if (!(e instanceof GoogleError)) throw e;
      this.stats.refused[e.error] = (this.stats.refused[e.error] ?? 0) + 1;
      sendJson(res, e.status, { error: e.error, error_description: e.message });
    }
  }

  private check(assertion: string): { account: GoogleServiceAccount; sub: string; scopes: string[] } {
    const jwt = decodeJwt(assertion);
    if (jwt === undefined || jwt.header.alg !== 'RS256') throw new GoogleError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const c = jwt.claims;
    const account = typeof c.iss === 'string' ? this.accounts.get(c.iss) : undefined;
    // Google answers a key it does not know, or a signature that does not verify, alike.
    if (account === undefined || !verifyJwtSignature(jwt, account.publicKeyPem)) throw new GoogleError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (c.aud !== this.tokenUri()) throw new GoogleError(400, 'invalid_grant', `Invalid JWT: Audience is not a valid endpoint: ${String(c.aud)}`);
    const now = nowSeconds();
    if (typeof c.iat !== 'number' || typeof c.exp !== 'number' || c.exp - c.iat > 3600 || c.exp < now || c.iat > now + 300) {
      throw new GoogleError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    const sub = typeof c.sub === 'string' ? c.sub : '';
    if (!account.users.some((u) => u.toLowerCase() === sub.toLowerCase())) throw new GoogleError(400, 'invalid_grant', 'Invalid email or User ID');
    const scopes = (typeof c.scope === 'string' ? c.scope : '').split(' ').filter((s) => s !== '');
    if (scopes.length === 0 || !scopes.every((s) => account.delegatedScopes.includes(s))) {
      throw new GoogleError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
    }
    return { account, sub, scopes };
  }
}
