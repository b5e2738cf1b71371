import { createHash, randomBytes } from 'node:crypto';
import { signJwt, nowSeconds } from './jwt.js';
import { OUTLOOK_RESOURCE, accessTokenClaims, signAccessToken } from './tokens.js';

/**
 * The delegated grants of the lab's Entra (a user, not an app, grants access): the device
 * authorization grant (RFC 8628, `POST /{tenant}/oauth2/v2.0/devicecode`, then the token
 * endpoint polled with `urn:ietf:params:oauth:grant-type:device_code`) and the refresh-token
 * grant, with refresh tokens that rotate on every use, expire and can be revoked. Tenants:
 * the lab's own, `organizations`, and `consumers` (personal Microsoft accounts, whose tenant
 * id is Microsoft's fixed 9188040d-…). The user's sign-in is played through the control API
 * (approve / decline a user code). Answers carry what MSAL needs to keep an account in its
 * cache: id_token and client_info. The access token is one the lab's Dovecot accepts.
 */

export const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Authority segments served besides the lab tenant's own id. */
export const DELEGATED_AUTHORITIES = ['consumers', 'organizations', 'common'];

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  tid: string;
  expiresAtMs: number;
  approvedBy?: string;
  declined?: boolean;
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  tid: string;
  username: string;
  expiresAtMs: number;
}

interface RefreshGrant {
  clientId: string;
  username: string;
  scope: string;
  tid: string;
  expiresAtMs: number;
}

export interface DelegatedAnswer {
  status: number;
  error?: { error: string; code: number; message: string };
  body?: Record<string, unknown>;
}

export interface DelegatedStats {
  /** Tokens issued per username (lower-cased), by grant. */
  issued: Record<string, { deviceCode: number; refreshToken: number; authorizationCode?: number }>;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export class DelegatedGrants {
  private readonly codes = new Map<string, DeviceCode>();
  private readonly refresh = new Map<string, RefreshGrant>();
  private readonly authCodes = new Map<string, AuthorizationCode>();
  /** Who signs in at the next /authorize (a test plays another account); else the login_hint. */
  nextSignIn?: string;
  readonly stats: DelegatedStats = { issued: {} };
  /** Lifetimes for tests: access tokens and refresh tokens issued from now on. */
  accessTokenSeconds = 3599;
  refreshTokenSeconds = 90 * 86400;

  constructor(
    private readonly opts: { base: () => string; tenantId: string; signingKeyPem: string; kid: string },
  ) {}

  tidOf(tenant: string): string {
    return tenant === 'consumers' ? CONSUMERS_TENANT_ID : this.opts.tenantId;
  }

  /** `POST /{tenant}/oauth2/v2.0/devicecode`. */
  deviceCode(form: URLSearchParams, tenant: string): DelegatedAnswer {
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    if (clientId === '') return { status: 400, error: { error: 'invalid_request', code: 900144, message: "The request body must contain the following parameter: 'client_id'." } };
    const userCode = randomBytes(5).toString('hex').toUpperCase().slice(0, 9);
    const deviceCode = randomBytes(32).toString('base64url');
    this.codes.set(deviceCode, { deviceCode, userCode, clientId, scope, tid: this.tidOf(tenant), expiresAtMs: Date.now() + 900_000 });
    const verificationUri = `${this.opts.base()}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: 900,
        interval: 1,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  /**
   * `GET /{tenant}/oauth2/v2.0/authorize` (response_type=code, PKCE S256 required): the user's
   * sign-in is played at once (as nextSignIn, else login_hint) and the browser sent back to
   * redirect_uri with a one-time code and the state, as Entra does.
   */
  authorize(query: URLSearchParams, tenant: string): { status: number; location?: string; error?: string } {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const challenge = query.get('code_challenge') ?? '';
    if (clientId === '' || !/^https?:\/\//.test(redirectUri)) return { status: 400, error: 'AADSTS900144: client_id and redirect_uri are required' };
    if (query.get('response_type') !== 'code') return { status: 400, error: 'AADSTS700054: response_type must be code' };
    if (query.get('code_challenge_method') !== 'S256' || challenge === '') return { status: 400, error: 'AADSTS501491: a code_challenge with method S256 is required' };
    const username = this.nextSignIn ?? query.get('login_hint') ?? '';
    this.nextSignIn = undefined;
    const back = new URL(redirectUri);
    if (username === '') {
      back.searchParams.set('error', 'login_required');
    } else {
      const code = `0.lab.code.${randomBytes(32).toString('base64url')}`;
      this.authCodes.set(code, { clientId, redirectUri, challenge, scope: query.get('scope') ?? '', tid: this.tidOf(tenant), username, expiresAtMs: Date.now() + 600_000 });
      back.searchParams.set('code', code);
    }
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    return { status: 302, location: back.toString() };
  }

  /** The token endpoint's delegated grants; undefined for a grant this class does not serve. */
  token(form: URLSearchParams, tenant: string): DelegatedAnswer | undefined {
    const grant = form.get('grant_type');
    // MSAL sends the short form; Entra takes both.
    if (grant === DEVICE_CODE_GRANT || grant === 'device_code') return this.redeemDeviceCode(form);
    if (grant === 'refresh_token') return this.redeemRefreshToken(form, tenant);
    if (grant === 'authorization_code') return this.redeemAuthorizationCode(form, tenant);
    return undefined;
  }

  private redeemAuthorizationCode(form: URLSearchParams, tenant: string): DelegatedAnswer {
    const code = form.get('code') ?? '';
    const entry = this.authCodes.get(code);
    // A code is good once, whatever the outcome.
    this.authCodes.delete(code);
    const refused = (c: number, message: string): DelegatedAnswer => ({ status: 400, error: { error: 'invalid_grant', code: c, message } });
    if (!entry || entry.clientId !== (form.get('client_id') ?? '') || entry.tid !== this.tidOf(tenant)) return refused(70000, 'The provided authorization code is invalid.');
    if (Date.now() > entry.expiresAtMs) return refused(70008, 'The provided authorization code or refresh token has expired.');
    if (entry.redirectUri !== (form.get('redirect_uri') ?? '')) return refused(50148, 'The redirect_uri does not match the one of the authorization request.');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== entry.challenge) return refused(501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    return this.issue(entry.clientId, entry.username, entry.scope, entry.tid, 'authorizationCode');
  }

  /** The user signs in and enters the code (false: declines). */
  approve(userCode: string, username: string, grant = true): boolean {
    const entry = [...this.codes.values()].find((c) => c.userCode === userCode);
    if (!entry) return false;
    if (grant) entry.approvedBy = username;
    else entry.declined = true;
    return true;
  }

  /** Revokes every refresh token of a user (Revoke-MgUserSignInSession, a password reset). */
  revoke(username: string): number {
    let n = 0;
    for (const [token, g] of this.refresh) {
      if (g.username.toLowerCase() === username.toLowerCase()) {
        this.refresh.delete(token);
        n += 1;
      }
    }
    return n;
  }

  private redeemDeviceCode(form: URLSearchParams): DelegatedAnswer {
    const entry = this.codes.get(form.get('device_code') ?? '');
    if (!entry) return { status: 400, error: { error: 'invalid_grant', code: 70000, message: 'The provided value for the input parameter \'device_code\' is not valid.' } };
    if (Date.now() > entry.expiresAtMs) {
      this.codes.delete(entry.deviceCode);
      return { status: 400, error: { error: 'expired_token', code: 70020, message: 'The provided value for the input parameter \'device_code\' is expired.' } };
    }
    if (entry.declined) {
      this.codes.delete(entry.deviceCode);
      return { status: 400, error: { error: 'authorization_declined', code: 70019, message: 'The user declined the authorization request.' } };
    }
    if (entry.approvedBy === undefined) return { status: 400, error: { error: 'authorization_pending', code: 70016, message: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' } };
    this.codes.delete(entry.deviceCode);
    return this.issue(entry.clientId, entry.approvedBy, entry.scope, entry.tid, 'deviceCode');
  }

  private redeemRefreshToken(form: URLSearchParams, tenant: string): DelegatedAnswer {
    const presented = form.get('refresh_token') ?? '';
    const g = this.refresh.get(presented);
    if (!g || g.clientId !== (form.get('client_id') ?? '') || g.tid !== this.tidOf(tenant)) {
      return { status: 400, error: { error: 'invalid_grant', code: 50173, message: 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.' } };
    }
    // Rotation: a refresh token is good once.
    this.refresh.delete(presented);
    if (Date.now() > g.expiresAtMs) return { status: 400, error: { error: 'invalid_grant', code: 700082, message: 'The refresh token has expired due to inactivity.' } };
    return this.issue(g.clientId, g.username, form.get('scope') ?? g.scope, g.tid, 'refreshToken');
  }

  private issue(clientId: string, username: string, scope: string, tid: string, how: 'deviceCode' | 'refreshToken' | 'authorizationCode'): DelegatedAnswer {
    // The same user keeps the same object id: MSAL keys its cached account by it (client_info).
    const h = createHash('sha256').update(`${tid}/${username.toLowerCase()}`).digest('hex');
    const oid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
    const now = nowSeconds();
    const refreshToken = `0.lab.${randomBytes(48).toString('base64url')}`;
    this.refresh.set(refreshToken, { clientId, username, scope, tid, expiresAtMs: Date.now() + this.refreshTokenSeconds * 1000 });
    const claims = accessTokenClaims({
      tenantId: this.opts.tenantId,
      clientId,
      audience: OUTLOOK_RESOURCE,
      expiresInSeconds: this.accessTokenSeconds,
      claims: { idtyp: 'user', scp: 'IMAP.AccessAsUser.All', upn: username, unique_name: username, sub: oid, oid, roles: undefined, appidacr: undefined, acct: tid === CONSUMERS_TENANT_ID ? 1 : 0 },
    });
    const idToken = signJwt({ iss: `${this.opts.base()}/${tid}/v2.0`, aud: clientId, sub: oid, oid, tid, preferred_username: username, name: username, iat: now, nbf: now, exp: now + 3600, ver: '2.0' }, this.opts.signingKeyPem, { kid: this.opts.kid });
    const key = username.toLowerCase();
    const counts = (this.stats.issued[key] ??= { deviceCode: 0, refreshToken: 0 });
    counts[how] = (counts[how] ?? 0) + 1;
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: scope.split(' ').filter((s) => s !== 'offline_access' && s !== 'openid' && s !== 'profile').join(' '),
        expires_in: this.accessTokenSeconds,
        ext_expires_in: this.accessTokenSeconds,
        access_token: signAccessToken(claims, this.opts.signingKeyPem, this.opts.kid),
        refresh_token: refreshToken,
        id_token: idToken,
        client_info: b64url({ uid: oid, utid: tid }),
      },
    };
  }
}
