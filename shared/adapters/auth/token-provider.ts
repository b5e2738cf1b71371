import type { ConfidentialClientApplication, Configuration, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { SideSettings } from '../../config/settings.js';
import { classify } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import { certificateCredential, type ClientCredential } from './client-credential.js';

export interface AccessToken {
  token: string;
  expiresOnMs: number;
}

const MICROSOFT_AUTHORITY_HOSTS = /^(login\.microsoftonline\.(com|us)|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)$/i;

/**
 * MSAL's network calls over fetch, keeping the last Retry-After: MSAL honours it internally
 * (its throttle cache) but does not put it on the error it throws, so without this the engine
 * waits its 30 s default on a 429 that asked for 1 s.
 */
class RetryAfterAwareNetwork implements INetworkModule {
  lastRetryAfterMs?: number;

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(url: string, method: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const res = await fetch(url, { method, headers: options?.headers ?? {}, ...(options?.body !== undefined ? { body: options.body } : {}), ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {}) });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    const seconds = Number(headers['retry-after']);
    this.lastRetryAfterMs = res.status === 429 || res.status >= 500 ? (Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined) : undefined;
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 200) };
    }
    return { headers, body: body as T, status: res.status };
  }
}

/**
 * App-only tokens (client credentials) for one side. One ConfidentialClientApplication per
 * process and side: MSAL's cache then serves a token while it has more than 5 minutes left and
 * asks Entra for a new one after that, so callers simply ask before each new IMAP session.
 */
export class AppTokenProvider {
  private app?: Promise<ConfidentialClientApplication>;
  private readonly network = new RetryAfterAwareNetwork();

  constructor(
    private readonly side: SideSettings,
    private readonly secrets: SecretStore,
  ) {}

  async getToken(): Promise<AccessToken> {
    const pending = this.getApp();
    const app = await pending;
    try {
      const r = await app.acquireTokenByClientCredential({ scopes: [this.side.tokenScope] });
      if (!r?.accessToken) throw new MigrationError('TOKEN_REQUEST_FAILED', 'transient', 'token endpoint returned no access token');
      registerSecret(r.accessToken);
      return { token: r.accessToken, expiresOnMs: r.expiresOn ? r.expiresOn.getTime() : 0 };
    } catch (e) {
      // MSAL keeps its own throttle after a 429/5xx (60 s without Retry-After) and answers every
      // request meanwhile with the first error, minus its status: our retry policy is the one
      // throttle, so the next attempt starts on a fresh client (the credential is cached; no
      // token was, or MSAL would not have asked).
      if (this.app === pending) this.app = undefined;
      const retryAfterMs = this.network.lastRetryAfterMs;
      throw classify(retryAfterMs !== undefined && typeof e === 'object' && e !== null ? Object.assign(e, { retryAfterMs }) : e, 'token');
    }
  }

  private getApp(): Promise<ConfidentialClientApplication> {
    if (!this.app) {
      this.app = this.createApp();
      this.app.catch(() => (this.app = undefined));
    }
    return this.app;
  }

  private async readCredential(): Promise<ClientCredential> {
    if (this.side.clientCertName) {
      return certificateCredential(await this.secrets.getSecret(this.side.clientCertName), this.side.clientCertName);
    }
    if (this.side.clientSecretName) return { kind: 'secret', clientSecret: await this.secrets.getSecret(this.side.clientSecretName) };
    throw new MigrationError('SETTINGS_INVALID', 'permanent', 'no client secret or certificate name is set');
  }

  private async createApp(): Promise<ConfidentialClientApplication> {
    const cred = await this.readCredential();
    const authorityUrl = new URL(this.side.authorityHost);
    const config: Configuration = {
      auth: {
        clientId: this.side.clientId ?? '',
        authority: `${this.side.authorityHost}/${this.side.tenantId ?? ''}`,
        // Outside Microsoft's clouds (sovereign proxies, the local lab) MSAL must not run
        // instance discovery against login.microsoftonline.com.
        ...(MICROSOFT_AUTHORITY_HOSTS.test(authorityUrl.hostname) ? {} : { knownAuthorities: [authorityUrl.host] }),
        ...(cred.kind === 'secret'
          ? { clientSecret: cred.clientSecret }
          : { clientCertificate: { thumbprintSha256: cred.thumbprintSha256, privateKey: cred.privateKey, x5c: cred.x5c } }),
      },
      system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => undefined }, networkClient: this.network },
    };
    // Loaded on first use: password-auth runs and unchanged delta passes never need MSAL.
    const { ConfidentialClientApplication } = await import('@azure/msal-node');
    return new ConfidentialClientApplication(config);
  }
}

/** Reads a JWT's claims without verifying it (for preflight diagnosis only). */
export function readTokenClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
