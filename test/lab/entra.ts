import { X509Certificate, createPublicKey, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { FaultQueue } from './faults.js';
import { intField, optionalString, readBody, readJson, sendJson, startHttpsServer, stopHttpsServer } from './http-util.js';
import { decodeJwt, nowSeconds, verifyJwtSignature } from './jwt.js';
import { IMAP_ROLE, OUTLOOK_RESOURCE, VAULT_RESOURCE, accessTokenClaims, signAccessToken } from './tokens.js';
import { GoogleTokenEndpoint, type GoogleServiceAccount } from './google-token.js';
import { DELEGATED_AUTHORITIES, DelegatedGrants } from './entra-delegated.js';

/**
 * A local Entra ID v2 token endpoint for the client-credentials grant, close enough for the real
 * MSAL and @azure/identity: OpenID metadata, `POST /{tenant}/oauth2/v2.0/token` with a client
 * secret or a certificate-signed client assertion, `/.default` scopes, Entra's error JSON.
 * Control API under `/_lab/` (see control.ts): request counters, queued faults (429/503), apps
 * registered at run time, and minting of tokens for negative tests.
 */

export interface EntraApp {
  clientId: string;
  displayName: string;
  secret?: string;
  certificate?: { certPem: string };
  /** Resource (aud) -> application roles granted with admin consent. */
  roles: Record<string, string[]>;
  /** Overrides the server's default `expires_in` for this app's tokens. */
  expiresInSeconds?: number;
}

export interface EntraOptions {
  tenantId: string;
  tls: { cert: string; key: string };
  signingKeyPem: string;
  untrustedKeyPem: string;
  kid: string;
  defaultExpiresInSeconds: number;
  apps: EntraApp[];
}

export interface EntraServer {
  port: number;
  authorityHost: string;
  tokenEndpoint: string;
  openIdConfiguration: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Resources this tenant knows (a scope for anything else is AADSTS500011). */
const RESOURCES = new Set([OUTLOOK_RESOURCE, VAULT_RESOURCE, 'https://graph.microsoft.com', 'https://storage.azure.com']);
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface RegisteredApp extends EntraApp {
  thumbprints?: { sha1: string; sha256: string; publicKeyPem: string };
}

class EntraError extends Error {
  constructor(readonly status: number, readonly error: string, readonly code: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

function register(app: EntraApp): RegisteredApp {
  if (app.certificate === undefined) return { ...app };
  const cert = new X509Certificate(app.certificate.certPem);
  const b64 = (hex: string): string => Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');
  return {
    ...app,
    // Compared with the JWT header's x5t / x5t#S256: base64url of the raw thumbprint bytes.
    thumbprints: { sha1: b64(cert.fingerprint), sha256: b64(cert.fingerprint256), publicKeyPem: cert.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  };
}

function secretMatches(expected: string | undefined, got: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startEntra(opts: EntraOptions): Promise<EntraServer> {
  const apps = new Map<string, RegisteredApp>(opts.apps.map((a) => [a.clientId, register(a)]));
  const faults = new FaultQueue();
  const stats = { total: 0, requests: {} as Record<string, number>, issued: {} as Record<string, number> };
  let base = '';
  const tokenEndpoint = (): string => `${base}/${opts.tenantId}/oauth2/v2.0/token`;
  const google = new GoogleTokenEndpoint(
    () => `${base}/google/token`,
    (account, sub, expiresInSeconds) =>
      signAccessToken(
        accessTokenClaims({ tenantId: opts.tenantId, clientId: account.clientId, displayName: account.clientEmail, audience: OUTLOOK_RESOURCE, expiresInSeconds, roles: [IMAP_ROLE], claims: { sub } }),
        opts.signingKeyPem,
        opts.kid,
      ),
  );

  const delegated = new DelegatedGrants({ base: () => base, tenantId: opts.tenantId, signingKeyPem: opts.signingKeyPem, kid: opts.kid });
  const knownTenant = (t: string): boolean => t === opts.tenantId || DELEGATED_AUTHORITIES.includes(t);
  /** The OpenID document of an authority segment (the tenant, or consumers / organizations / common). */
  const openIdConfigurationOf = (tenant: string): Record<string, unknown> => {
    const doc = openIdConfiguration();
    const text = JSON.stringify(doc).split(`/${opts.tenantId}/`).join(`/${tenant}/`);
    return { ...(JSON.parse(text) as Record<string, unknown>), issuer: `${base}/${delegated.tidOf(tenant)}/v2.0` };
  };
  const openIdConfiguration = (): Record<string, unknown> => ({
    token_endpoint: tokenEndpoint(),
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${opts.tenantId}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    // MSAL requires the issuer to share scheme, host and port with the authority.
    issuer: `${base}/${opts.tenantId}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${base}/${opts.tenantId}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${opts.tenantId}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${opts.tenantId}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  });

  function fail(res: ServerResponse, err: EntraError, correlationId: string): void {
    const traceId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    sendJson(res, err.status, {
      error: err.error,
      error_description: `AADSTS${err.code}: ${err.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [err.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${base}/error?code=${err.code}`,
    }, err.headers);
  }

  /** Checks a private_key_jwt client assertion (RFC 7523) against the app's registered certificate. */
  function checkAssertion(app: RegisteredApp, assertion: string): void {
    const bad = (code: number, msg: string): EntraError => new EntraError(401, 'invalid_client', code, msg);
    const jwt = decodeJwt(assertion);
    if (jwt === undefined) throw bad(50027, 'JWT token is invalid or malformed.');
    const t = app.thumbprints;
    if (t === undefined) throw bad(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.] App Id: ${app.clientId}`);
    const x5t256 = jwt.header['x5t#S256'];
    const x5t = jwt.header.x5t;
    if (!(x5t256 === t.sha256 || (x5t256 === undefined && x5t === t.sha1))) {
      throw bad(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(x5t256 ?? x5t)}'] App Id: ${app.clientId}`);
    }
    if (!verifyJwtSignature(jwt, t.publicKeyPem)) throw bad(700027, 'Client assertion failed signature validation.');
    const c = jwt.claims;
    if (c.iss !== app.clientId || c.sub !== app.clientId) throw bad(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    const audiences = [tokenEndpoint(), tokenEndpoint().replace('127.0.0.1', 'localhost'), `https://login.microsoftonline.com/${opts.tenantId}/oauth2/v2.0/token`];
    if (typeof c.aud !== 'string' || !audiences.includes(c.aud)) throw bad(700212, `Client assertion audience '${String(c.aud)}' does not match the token endpoint.`);
    const now = nowSeconds();
    if (typeof c.exp !== 'number' || c.exp < now || (typeof c.nbf === 'number' && c.nbf > now + 300)) {
      throw bad(700024, 'Client assertion is not within its valid time range.');
    }
  }

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const correlationId = String(req.headers['client-request-id'] ?? randomUUID());
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const [basicId, basicSecret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map(decodeURIComponent) : [];
    const clientId = form.get('client_id') ?? basicId ?? '';
    stats.total += 1;
    stats.requests[clientId || '(none)'] = (stats.requests[clientId || '(none)'] ?? 0) + 1;
    try {
      const fault = faults.take(clientId);
      if (fault !== undefined) {
        const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
        throw fault.status === 429
          ? new EntraError(429, 'temporarily_unavailable', 90055, 'TenantThrottlingThreshold: The number of requests from this tenant has exceeded the threshold. Please try again later.', headers)
          : new EntraError(fault.status, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.', headers);
      }
      const answer = knownTenant(tenant) ? delegated.token(form, tenant) : undefined;
      if (answer !== undefined) {
        if (answer.error) throw new EntraError(answer.status, answer.error.error, answer.error.code, answer.error.message);
        return sendJson(res, answer.status, answer.body, { 'client-request-id': correlationId });
      }
      if (tenant !== opts.tenantId) {
        throw new EntraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
      }
      const grant = form.get('grant_type');
      if (grant === null) throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
      if (grant !== 'client_credentials') throw new EntraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
      if (clientId === '') throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
      const app = apps.get(clientId);
      if (app === undefined) {
        throw new EntraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${opts.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
      }
      const secret = form.get('client_secret') ?? basicSecret;
      const assertion = form.get('client_assertion');
      if (assertion !== null) {
        if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
          throw new EntraError(400, 'invalid_request', 90014, "The request body must contain the following parameter: 'client_assertion_type'.");
        }
        checkAssertion(app, assertion);
      } else if (secret !== undefined) {
        if (!secretMatches(app.secret, secret)) {
          throw new EntraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
        }
      } else {
        throw new EntraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      }
      const scopeParam = form.get('scope');
      if (scopeParam === null) throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
      const scopes = scopeParam.split(' ').filter((s) => s !== '' && !OIDC_SCOPES.has(s));
      const scope = scopes[0];
      if (scopes.length !== 1 || scope === undefined || !scope.endsWith('/.default')) {
        throw new EntraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scopeParam} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      }
      const resource = scope.slice(0, -'/.default'.length).replace(/\/+$/, '');
      if (!RESOURCES.has(resource)) {
        throw new EntraError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${opts.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
      }
      const expiresIn = app.expiresInSeconds ?? opts.defaultExpiresInSeconds;
      const claims = accessTokenClaims({
        tenantId: opts.tenantId,
        clientId,
        displayName: app.displayName,
        audience: resource,
        expiresInSeconds: expiresIn,
        roles: app.roles[resource] ?? [],
        appidacr: assertion !== null ? '2' : '1',
      });
      stats.issued[clientId] = (stats.issued[clientId] ?? 0) + 1;
      sendJson(res, 200, {
        token_type: 'Bearer',
        expires_in: expiresIn,
        ext_expires_in: expiresIn,
        access_token: signAccessToken(claims, opts.signingKeyPem, opts.kid),
      }, { 'client-request-id': correlationId });
    } catch (err) {
      if (!(err instanceof EntraError)) throw err;
      fail(res, err, correlationId);
    }
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req);
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /_lab/stats') return sendJson(res, 200, stats);
    if (route === 'POST /_lab/google/accounts') {
      google.register(body as unknown as GoogleServiceAccount);
      return sendJson(res, 201, { tokenUri: `${base}/google/token` });
    }
    if (route === 'GET /_lab/google/stats') return sendJson(res, 200, google.stats);
    if (route === 'POST /_lab/delegated/approve') {
      const ok = delegated.approve(optionalString(body, 'userCode') ?? '', optionalString(body, 'username') ?? '', body.decline !== true);
      return sendJson(res, ok ? 200 : 404, { approved: ok });
    }
    if (route === 'POST /_lab/delegated/revoke') return sendJson(res, 200, { revoked: delegated.revoke(optionalString(body, 'username') ?? '') });
    if (route === 'PATCH /_lab/delegated') {
      if (body.accessTokenSeconds !== undefined) delegated.accessTokenSeconds = intField(body, 'accessTokenSeconds', 3599, -86400, 86400);
      if (body.refreshTokenSeconds !== undefined) delegated.refreshTokenSeconds = intField(body, 'refreshTokenSeconds', 7776000, -86400, 7776000);
      return sendJson(res, 200, { accessTokenSeconds: delegated.accessTokenSeconds, refreshTokenSeconds: delegated.refreshTokenSeconds });
    }
    if (route === 'GET /_lab/delegated/stats') return sendJson(res, 200, delegated.stats);
    if (route === 'POST /_lab/delegated/next-sign-in') {
      delegated.nextSignIn = optionalString(body, 'username');
      return sendJson(res, 200, { nextSignIn: delegated.nextSignIn ?? null });
    }
    if (route === 'POST /_lab/stats/reset') {
      stats.total = 0;
      stats.requests = {};
      stats.issued = {};
      return sendJson(res, 200, stats);
    }
    if (route === 'POST /_lab/faults') {
      faults.add({
        status: intField(body, 'status', 503, 400, 599),
        count: intField(body, 'count', 1, 1, 1000),
        retryAfterSeconds: body.retryAfterSeconds === undefined ? undefined : intField(body, 'retryAfterSeconds', 1, 0, 3600),
        key: optionalString(body, 'clientId'),
      });
      return sendJson(res, 200, { queued: true });
    }
    if (route === 'DELETE /_lab/faults') {
      faults.clear();
      return sendJson(res, 200, { cleared: true });
    }
    if (route === 'POST /_lab/apps') {
      const clientId = optionalString(body, 'clientId') ?? randomUUID();
      const certPem = optionalString(body, 'certPem');
      const secret = body.secret === false ? undefined : (optionalString(body, 'secret') ?? newClientSecret());
      const roles = body.roles === undefined ? { [OUTLOOK_RESOURCE]: [IMAP_ROLE] } : (body.roles as Record<string, string[]>);
      apps.set(clientId, register({
        clientId,
        displayName: optionalString(body, 'displayName') ?? `lab app ${clientId.slice(0, 8)}`,
        secret,
        certificate: certPem === undefined ? undefined : { certPem },
        roles,
        expiresInSeconds: body.expiresInSeconds === undefined ? undefined : intField(body, 'expiresInSeconds', 3599, -86400, 86400),
      }));
      return sendJson(res, 201, { clientId, clientSecret: secret });
    }
    const patch = /^PATCH \/_lab\/apps\/([^/]+)$/.exec(route);
    if (patch) {
      const app = apps.get(decodeURIComponent(patch[1]!));
      if (app === undefined) return sendJson(res, 404, { error: 'no such app' });
      if (body.expiresInSeconds !== undefined) app.expiresInSeconds = intField(body, 'expiresInSeconds', 3599, -86400, 86400);
      if (body.secret !== undefined) app.secret = optionalString(body, 'secret');
      return sendJson(res, 200, { clientId: app.clientId });
    }
    if (route === 'POST /_lab/mint') {
      const audience = optionalString(body, 'audience') ?? OUTLOOK_RESOURCE;
      const clientId = optionalString(body, 'clientId') ?? opts.apps[0]!.clientId;
      const claims = accessTokenClaims({
        tenantId: opts.tenantId,
        clientId,
        audience,
        expiresInSeconds: intField(body, 'expiresInSeconds', 3599, -86400, 86400),
        roles: apps.get(clientId)?.roles[audience] ?? [],
        claims: (body.claims ?? {}) as Record<string, unknown>,
      });
      const key = body.key === 'untrusted' ? opts.untrustedKeyPem : opts.signingKeyPem;
      return sendJson(res, 200, { access_token: signAccessToken(claims, key, optionalString(body, 'kid') ?? opts.kid) });
    }
    sendJson(res, 404, { error: `unknown control route ${route}` });
  }

  const { server, port } = await startHttpsServer(opts.tls, async (req, res, url) => {
    const path = url.pathname;
    if (path.startsWith('/_lab/')) return control(req, res, path);
    if (path === '/google/token' && req.method === 'POST') return google.handle(req, res);
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token|oauth2\/v2\.0\/devicecode|oauth2\/v2\.0\/authorize|discovery\/v2\.0\/keys)$/.exec(path);
    if (m === null) return sendJson(res, 404, { error: 'not_found', error_description: `no route ${req.method ?? ''} ${path}` });
    const tenant = m[1]!;
    const what = m[2]!;
    if (what === 'oauth2/v2.0/token' && req.method === 'POST') return token(req, res, tenant);
    if (what === 'oauth2/v2.0/devicecode' && req.method === 'POST' && knownTenant(tenant)) {
      const answer = delegated.deviceCode(new URLSearchParams((await readBody(req)).toString('utf8')), tenant);
      return sendJson(res, answer.status, answer.body ?? { error: answer.error?.error, error_description: `AADSTS${answer.error?.code ?? 0}: ${answer.error?.message ?? ''}` });
    }
    if (what === 'oauth2/v2.0/authorize' && req.method === 'GET' && knownTenant(tenant)) {
      const answer = delegated.authorize(url.searchParams, tenant);
      if (answer.location === undefined) return sendJson(res, answer.status, { error: 'invalid_request', error_description: answer.error });
      res.writeHead(302, { location: answer.location });
      res.end();
      return;
    }
    if (what.endsWith('openid-configuration') && knownTenant(tenant)) return sendJson(res, 200, openIdConfigurationOf(tenant));
    if (tenant !== opts.tenantId && !knownTenant(tenant)) return sendJson(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
    if (what.endsWith('openid-configuration')) return sendJson(res, 200, openIdConfiguration());
    const jwk = createPublicKey(opts.signingKeyPem).export({ format: 'jwk' });
    return sendJson(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: opts.kid, x5t: opts.kid, n: jwk.n, e: jwk.e, issuer: `${base}/${opts.tenantId}/v2.0` }] });
  });
  base = `https://127.0.0.1:${port}`;
  return {
    port,
    authorityHost: base,
    tokenEndpoint: tokenEndpoint(),
    openIdConfiguration: openIdConfiguration(),
    stop: () => stopHttpsServer(server as Server),
  };
}

/** Looks like an Entra client secret value (40 characters with the `~` Entra puts in them). */
export function newClientSecret(): string {
  const r = randomBytes(30).toString('base64url').replace(/[-_]/g, 'x');
  return `${r.slice(0, 3)}8Q~${r.slice(3, 39)}`;
}
