import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultQueue } from './faults.js';
import { intField, optionalString, readJson, sendJson, startHttpsServer, stopHttpsServer } from './http-util.js';
import { VAULT_RESOURCE, verifyAccessToken } from './tokens.js';

/**
 * A local Key Vault (secrets only) for the real SecretClient. It speaks the challenge protocol
 * the SDK expects: a request without a token gets 401 + `WWW-Authenticate: Bearer
 * authorization="<authority>/<tenant>", resource="https://vault.azure.net"`, the SDK fetches a
 * token for that tenant and resource and retries. Tokens are checked like the real service
 * (Entra signature, audience, issuer, lifetime), then an access list of app ids plays the RBAC
 * role assignment. A certificate's private key is served, as in Key Vault, as the secret of the
 * same name with contentType application/x-pem-file.
 * Control API under `/_lab/` (see control.ts): put/delete secrets, access, faults, counters.
 */

export interface SecretSeed {
  name: string;
  value: string;
  contentType?: string;
  /** Marks the secret as the backing secret of a certificate (managed, with a kid). */
  certificate?: boolean;
}

export interface KeyVaultOptions {
  tenantId: string;
  tls: { cert: string; key: string };
  authorityHost: string;
  tokenSigning: { publicKeyPem: string; kid: string };
  /** App ids allowed to read and write secrets (role "Key Vault Secrets Officer"). */
  allowedClientIds: string[];
  secrets: SecretSeed[];
}

export interface KeyVaultServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  enabled: boolean;
  created: number;
  updated: number;
  certificate: boolean;
}

const kvError = (code: string, message: string, inner?: string): Record<string, unknown> => ({
  error: { code, message, ...(inner !== undefined ? { innererror: { code: inner } } : {}) },
});

export async function startKeyVault(opts: KeyVaultOptions): Promise<KeyVaultServer> {
  const store = new Map<string, SecretVersion[]>();
  const allowed = new Set(opts.allowedClientIds);
  const faults = new FaultQueue();
  const stats = { total: 0, challenged: 0, rejected: 0, bySecret: {} as Record<string, number> };
  let url = '';
  const challenge = `Bearer authorization="${opts.authorityHost}/${opts.tenantId}", resource="${VAULT_RESOURCE}"`;

  function put(seed: SecretSeed & { enabled?: boolean }): SecretVersion {
    const now = Math.floor(Date.now() / 1000);
    const v: SecretVersion = {
      version: randomBytes(16).toString('hex'),
      value: seed.value,
      contentType: seed.contentType,
      enabled: seed.enabled ?? true,
      created: now,
      updated: now,
      certificate: seed.certificate ?? false,
    };
    store.set(seed.name, [...(store.get(seed.name) ?? []), v]);
    return v;
  }
  for (const s of opts.secrets) put(s);

  const bundle = (name: string, v: SecretVersion): Record<string, unknown> => ({
    value: v.value,
    id: `${url}/secrets/${name}/${v.version}`,
    ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
    attributes: { enabled: v.enabled, created: v.created, updated: v.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
    tags: {},
    ...(v.certificate ? { kid: `${url}/keys/${name}/${v.version}`, managed: true } : {}),
  });

  const notFound = (name: string): Record<string, unknown> =>
    kvError('SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`);

  /** Returns the caller's app id, or answers 401/403 and returns undefined. */
  function authorize(req: IncomingMessage, res: ServerResponse, action: string): string | undefined {
    const auth = req.headers.authorization;
    if (auth === undefined) {
      stats.challenged += 1;
      sendJson(res, 401, kvError('Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'), { 'www-authenticate': challenge });
      return undefined;
    }
    const token = /^Bearer (.+)$/i.exec(auth)?.[1] ?? '';
    const check = verifyAccessToken(token, { ...opts.tokenSigning, tenantId: opts.tenantId, audience: VAULT_RESOURCE });
    if (!check.ok) {
      stats.rejected += 1;
      sendJson(res, 401, kvError('Unauthorized', `AKV10022: Token validation failed: ${check.reason}.`), { 'www-authenticate': challenge });
      return undefined;
    }
    const appid = String(check.claims.appid ?? '');
    if (!allowed.has(appid)) {
      stats.rejected += 1;
      sendJson(res, 403, kvError('Forbidden', `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${appid};oid=${String(check.claims.oid)}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/${action}'\r\nResource: '${url}'`, 'ForbiddenByRbac'));
      return undefined;
    }
    return appid;
  }

  async function api(req: IncomingMessage, res: ServerResponse, name: string, version: string): Promise<void> {
    const action = req.method === 'PUT' ? 'setSecret/action' : 'getSecret/action';
    if (authorize(req, res, action) === undefined) return;
    stats.bySecret[name] = (stats.bySecret[name] ?? 0) + 1;
    const fault = faults.take(name);
    if (fault !== undefined) {
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return fault.status === 429
        ? sendJson(res, 429, kvError('Throttled', 'Operations per second rate limit reached, please refer to https://aka.ms/kvthrottling for more information.'), headers)
        : sendJson(res, fault.status, kvError('ServiceUnavailable', 'The service is temporarily unavailable, please retry later.'), headers);
    }
    if (req.method === 'PUT' && version === '') {
      const body = await readJson(req);
      const value = optionalString(body, 'value');
      if (value === undefined) return sendJson(res, 400, kvError('BadParameter', 'The request body must contain a value.'));
      return sendJson(res, 200, bundle(name, put({ name, value, contentType: optionalString(body, 'contentType') })));
    }
    if (req.method !== 'GET') return sendJson(res, 405, kvError('MethodNotAllowed', `${req.method ?? ''} is not supported here.`));
    const versions = store.get(name);
    const v = version === '' ? versions?.at(-1) : versions?.find((x) => x.version === version);
    if (v === undefined) return sendJson(res, 404, notFound(name));
    if (!v.enabled) return sendJson(res, 403, kvError('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled'));
    sendJson(res, 200, bundle(name, v));
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req);
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /_lab/stats') return sendJson(res, 200, stats);
    if (route === 'POST /_lab/stats/reset') {
      Object.assign(stats, { total: 0, challenged: 0, rejected: 0, bySecret: {} });
      return sendJson(res, 200, stats);
    }
    const secret = /^(PUT|DELETE) \/_lab\/secrets\/([^/]+)$/.exec(route);
    if (secret) {
      const name = decodeURIComponent(secret[2]!);
      if (secret[1] === 'DELETE') {
        const existed = store.delete(name);
        return sendJson(res, existed ? 200 : 404, existed ? { deleted: name } : notFound(name));
      }
      const value = optionalString(body, 'value');
      if (value === undefined) return sendJson(res, 400, { error: 'value is required' });
      const v = put({ name, value, contentType: optionalString(body, 'contentType'), certificate: body.certificate === true, enabled: body.enabled !== false });
      return sendJson(res, 200, bundle(name, v));
    }
    if (route === 'POST /_lab/faults') {
      faults.add({
        status: intField(body, 'status', 503, 400, 599),
        count: intField(body, 'count', 1, 1, 1000),
        retryAfterSeconds: body.retryAfterSeconds === undefined ? undefined : intField(body, 'retryAfterSeconds', 1, 0, 3600),
        key: optionalString(body, 'secretName'),
      });
      return sendJson(res, 200, { queued: true });
    }
    if (route === 'DELETE /_lab/faults') {
      faults.clear();
      return sendJson(res, 200, { cleared: true });
    }
    if (route === 'POST /_lab/access') {
      const clientId = optionalString(body, 'clientId');
      if (clientId === undefined) return sendJson(res, 400, { error: 'clientId is required' });
      if (body.allow === false) allowed.delete(clientId);
      else allowed.add(clientId);
      return sendJson(res, 200, { clientId, allowed: allowed.has(clientId) });
    }
    sendJson(res, 404, { error: `unknown control route ${route}` });
  }

  const { server, port } = await startHttpsServer(opts.tls, async (req, res, u) => {
    if (u.pathname.startsWith('/_lab/')) return control(req, res, u.pathname);
    stats.total += 1;
    const m = /^\/secrets\/([0-9A-Za-z-]{1,127})(?:\/([0-9a-f]*))?\/?$/.exec(u.pathname);
    if (m === null) return sendJson(res, 400, kvError('BadParameter', `Unsupported path ${u.pathname} (the lab vault serves /secrets/{name}[/{version}]).`));
    return api(req, res, m[1]!, m[2] ?? '');
  });
  url = `https://127.0.0.1:${port}`;
  return { port, url, stop: () => stopHttpsServer(server) };
}
