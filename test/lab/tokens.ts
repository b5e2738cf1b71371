import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJwt, nowSeconds, signJwt, verifyJwtSignature, type JwtClaims } from './jwt.js';
import type { LabInfo } from './lab-info.js';

/**
 * App-only access tokens shaped like the v1 tokens Entra issues for Exchange Online and Key
 * Vault (both resources still get `iss: https://sts.windows.net/<tenant>/` tokens). Used by the
 * lab's token endpoint, and by tests that must forge tokens (expired, wrong audience, wrong key).
 */

export const OUTLOOK_RESOURCE = 'https://outlook.office365.com';
export const VAULT_RESOURCE = 'https://vault.azure.net';
export const IMAP_ROLE = 'IMAP.AccessAsApp';

export const stsIssuer = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`;

/** The service principal object id of an app in the lab tenant: stable per client id. */
export function servicePrincipalId(clientId: string): string {
  const h = createHash('sha256').update(`sp:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface AccessTokenParams {
  tenantId: string;
  clientId: string;
  displayName?: string;
  /** Resource = `aud`, e.g. OUTLOOK_RESOURCE. */
  audience: string;
  expiresInSeconds: number;
  roles?: readonly string[];
  /** "1" = authenticated with a secret, "2" = with a certificate. */
  appidacr?: '1' | '2';
  /** Added or replaced; a claim set to undefined is removed. */
  claims?: Record<string, unknown>;
}

export function accessTokenClaims(p: AccessTokenParams): JwtClaims {
  const now = nowSeconds();
  const iss = stsIssuer(p.tenantId);
  const oid = servicePrincipalId(p.clientId);
  const claims: JwtClaims = {
    aud: p.audience,
    iss,
    iat: now - 5,
    nbf: now - 5,
    exp: now + p.expiresInSeconds,
    aio: randomBytes(24).toString('base64'),
    app_displayname: p.displayName ?? 'lab app',
    appid: p.clientId,
    appidacr: p.appidacr ?? '1',
    idp: iss,
    idtyp: 'app',
    oid,
    rh: `0.${randomBytes(16).toString('base64url')}.`,
    sub: oid,
    tid: p.tenantId,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
  };
  if (p.roles !== undefined && p.roles.length > 0) claims.roles = [...p.roles];
  for (const [k, v] of Object.entries(p.claims ?? {})) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return dovecotSafe(claims);
}

/**
 * Dovecot 2.3.19 (Debian 12) crashes its auth process (SIGSEGV) on a JWT whose array claim
 * (`roles`) follows exactly 8 scalar claims: oauth2_jwt_copy_fields() searches the field array
 * with array_foreach_modifiable and then reads `field->name` one element past the end when
 * nothing matched — past the buffer exactly when it is full. A valid token then gets a NO (and
 * the log "auth: Fatal: master: service(auth): child N killed with signal 11"). A harmless extra
 * claim moves the count off that boundary; dovecot.test.ts keeps the case covered.
 */
function dovecotSafe(claims: JwtClaims): JwtClaims {
  const values = Object.values(claims);
  const hasArray = values.some((v) => typeof v === 'object' && v !== null);
  const scalars = values.filter((v) => typeof v !== 'object' || v === null).length;
  return hasArray && scalars === 8 ? { ...claims, xms_lab_pad: '1' } : claims;
}

/** Signs like Entra: RS256 with `kid` (and `x5t`, which Entra sets to the same value). */
export function signAccessToken(claims: JwtClaims, privateKeyPem: string, kid: string): string {
  return signJwt(claims, privateKeyPem, { kid, x5t: kid });
}

export interface MintOptions {
  /** Default: the migration app. */
  clientId?: string;
  /** Default: OUTLOOK_RESOURCE. */
  audience?: string;
  /** Negative values mint an already expired token. Default 3599. */
  expiresInSeconds?: number;
  /** "untrusted" signs with a key no lab server knows (the Entra kid is kept). */
  key?: 'trusted' | 'untrusted';
  kid?: string;
  roles?: readonly string[];
  claims?: Record<string, unknown>;
}

/**
 * Mints an access token in-process, without the token endpoint (so it does not move the
 * endpoint's request counters). For seeding and for negative tests.
 */
export function mintToken(info: LabInfo, opts: MintOptions = {}): string {
  const audience = opts.audience ?? OUTLOOK_RESOURCE;
  const claims = accessTokenClaims({
    tenantId: info.tenantId,
    clientId: opts.clientId ?? info.entra.clients.migration.clientId,
    audience,
    expiresInSeconds: opts.expiresInSeconds ?? 3599,
    roles: opts.roles ?? (audience === OUTLOOK_RESOURCE ? [IMAP_ROLE] : []),
    claims: opts.claims,
  });
  const keyPath = opts.key === 'untrusted' ? info.entra.untrustedKeyPath : info.entra.signingKeyPath;
  return signAccessToken(claims, readFileSync(keyPath, 'utf8'), opts.kid ?? info.entra.signingKid);
}

export type TokenCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

/** What a resource (Key Vault) checks: Entra's signature and kid, issuer, audience, lifetime. */
export function verifyAccessToken(token: string, expect: { publicKeyPem: string; kid: string; tenantId: string; audience: string }): TokenCheck {
  const jwt = decodeJwt(token);
  if (jwt === undefined) return { ok: false, reason: 'malformed token' };
  if (jwt.header.kid !== expect.kid) return { ok: false, reason: 'unknown signing key' };
  if (!verifyJwtSignature(jwt, expect.publicKeyPem)) return { ok: false, reason: 'signature validation failed' };
  const c = jwt.claims;
  const aud = typeof c.aud === 'string' ? c.aud.replace(/\/+$/, '') : '';
  if (aud !== expect.audience) return { ok: false, reason: `invalid audience '${String(c.aud)}'` };
  if (c.iss !== stsIssuer(expect.tenantId)) return { ok: false, reason: `invalid issuer '${String(c.iss)}'` };
  const now = nowSeconds();
  if (typeof c.exp !== 'number' || c.exp <= now) return { ok: false, reason: 'token expired' };
  if (typeof c.nbf === 'number' && c.nbf > now + 300) return { ok: false, reason: 'token not yet valid' };
  return { ok: true, claims: c };
}
