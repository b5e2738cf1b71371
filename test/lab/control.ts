import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { LabInfo } from './lab-info.js';
import type { GoogleServiceAccount, GoogleTokenStats } from './google-token.js';
import type { DelegatedStats } from './entra-delegated.js';

/**
 * Typed calls to the control APIs (`/_lab/...`) of the lab's token endpoint and Key Vault.
 * They pass the lab CA explicitly, so they work in any process, including one started before
 * NODE_EXTRA_CA_CERTS was set.
 */

async function call<T>(info: LabInfo, method: string, url: string, body?: unknown): Promise<T> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(url, {
      method,
      ca: readFileSync(info.caPath),
      headers: text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${url} -> ${res.statusCode ?? '?'}: ${out}`));
        else resolve(JSON.parse(out) as T);
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

export interface EntraStats {
  total: number;
  /** Token requests received per client_id (failed ones included). */
  requests: Record<string, number>;
  /** Tokens issued per client_id. */
  issued: Record<string, number>;
}

export interface FaultSpec {
  /** 429 (answered with Retry-After when retryAfterSeconds is set) or a 5xx; default 503. */
  status?: number;
  /** How many requests fail; default 1. */
  count?: number;
  retryAfterSeconds?: number;
}

export const entraControl = {
  stats: (info: LabInfo): Promise<EntraStats> => call(info, 'GET', `${info.entra.controlUrl}/stats`),
  /** The next requests (of `clientId` only, when given) fail with the fault's status. */
  fault: (info: LabInfo, f: FaultSpec & { clientId?: string }): Promise<unknown> => call(info, 'POST', `${info.entra.controlUrl}/faults`, f),
  clearFaults: (info: LabInfo): Promise<unknown> => call(info, 'DELETE', `${info.entra.controlUrl}/faults`),
  /**
   * Registers an app at run time (own counters, own token lifetime: isolation between test
   * files). Default: a client secret and IMAP.AccessAsApp. `secret: false` = no secret.
   */
  registerApp: (info: LabInfo, app: { clientId?: string; displayName?: string; secret?: string | false; certPem?: string; roles?: Record<string, string[]>; expiresInSeconds?: number } = {}): Promise<{ clientId: string; clientSecret?: string }> =>
    call(info, 'POST', `${info.entra.controlUrl}/apps`, app),
  updateApp: (info: LabInfo, clientId: string, patch: { expiresInSeconds?: number; secret?: string }): Promise<unknown> =>
    call(info, 'PATCH', `${info.entra.controlUrl}/apps/${encodeURIComponent(clientId)}`, patch),
  /** A token from the endpoint's own key (or the untrusted one), without a client credential. */
  mint: async (info: LabInfo, m: { clientId?: string; audience?: string; expiresInSeconds?: number; key?: 'trusted' | 'untrusted'; kid?: string; claims?: Record<string, unknown> } = {}): Promise<string> =>
    (await call<{ access_token: string }>(info, 'POST', `${info.entra.controlUrl}/mint`, m)).access_token,
  /** Registers a Google service account with the local Google token endpoint; returns that endpoint's URL (the key file's token_uri). */
  registerGoogleAccount: async (info: LabInfo, account: GoogleServiceAccount): Promise<string> =>
    (await call<{ tokenUri: string }>(info, 'POST', `${info.entra.controlUrl}/google/accounts`, account)).tokenUri,
  googleStats: (info: LabInfo): Promise<GoogleTokenStats> => call(info, 'GET', `${info.entra.controlUrl}/google/stats`),
  /** The user `username` signs in on the device login page and enters `userCode` (decline: refuses consent). */
  approveDeviceCode: (info: LabInfo, userCode: string, username: string, decline = false): Promise<{ approved: boolean }> =>
    call(info, 'POST', `${info.entra.controlUrl}/delegated/approve`, { userCode, username, decline }),
  /** Revokes every refresh token of the user. */
  revokeUser: (info: LabInfo, username: string): Promise<{ revoked: number }> => call(info, 'POST', `${info.entra.controlUrl}/delegated/revoke`, { username }),
  delegatedLifetimes: (info: LabInfo, l: { accessTokenSeconds?: number; refreshTokenSeconds?: number }): Promise<unknown> => call(info, 'PATCH', `${info.entra.controlUrl}/delegated`, l),
  delegatedStats: (info: LabInfo): Promise<DelegatedStats> => call(info, 'GET', `${info.entra.controlUrl}/delegated/stats`),
  /** The next browser sign-in at /authorize is made as `username` (not the login_hint). */
  nextSignIn: (info: LabInfo, username: string): Promise<unknown> => call(info, 'POST', `${info.entra.controlUrl}/delegated/next-sign-in`, { username }),
};

export interface KeyVaultStats {
  /** Requests to the vault API (challenges included). */
  total: number;
  /** Requests answered with the 401 challenge (no token yet). */
  challenged: number;
  /** Requests refused for a bad token (401) or missing access (403). */
  rejected: number;
  /** Authorized requests per secret name. */
  bySecret: Record<string, number>;
}

export const keyVaultControl = {
  stats: (info: LabInfo): Promise<KeyVaultStats> => call(info, 'GET', `${info.keyVault.controlUrl}/stats`),
  putSecret: (info: LabInfo, name: string, value: string, opts: { contentType?: string; enabled?: boolean; certificate?: boolean } = {}): Promise<{ id: string }> =>
    call(info, 'PUT', `${info.keyVault.controlUrl}/secrets/${encodeURIComponent(name)}`, { value, ...opts }),
  deleteSecret: (info: LabInfo, name: string): Promise<unknown> => call(info, 'DELETE', `${info.keyVault.controlUrl}/secrets/${encodeURIComponent(name)}`),
  /** The next authorized requests (for `secretName` only, when given) fail with the fault's status. */
  fault: (info: LabInfo, f: FaultSpec & { secretName?: string }): Promise<unknown> => call(info, 'POST', `${info.keyVault.controlUrl}/faults`, f),
  clearFaults: (info: LabInfo): Promise<unknown> => call(info, 'DELETE', `${info.keyVault.controlUrl}/faults`),
  /** Grants or revokes an app's access (the RBAC role assignment). */
  setAccess: (info: LabInfo, clientId: string, allow: boolean): Promise<unknown> => call(info, 'POST', `${info.keyVault.controlUrl}/access`, { clientId, allow }),
};
