import type { ConfidentialClientApplication, Configuration, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { SideSettings } from '../../config/settings.js';
import type { ImapSite } from '../../contracts/imap.js';
import { aadstsSetting, aadstsSummary } from '../../errors/aadsts.js';
import { classify } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import { certificateCredential, type ClientCredential } from './client-credential.js';
import { FIRST_CONTACT_FAILURES } from '../../errors/first-contact.js';

export interface AccessToken {
  token: string;
  expiresOnMs: number;
}

export const MICROSOFT_AUTHORITY_HOSTS = /^(login\.microsoftonline\.(com|us)|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)$/i;

/**
 * MSAL's network calls over fetch, keeping the last Retry-After: MSAL honours it internally
 * (its throttle cache) but does not put it on the error it throws, so without this the engine
 * waits its 30 s default on a 429 that asked for 1 s.
 */
class RetryAfterAwareNetwork implements INetworkModule {
  lastRetryAfterMs?: number;
  /** The last metadata GET (authority discovery): its status, or why it got none. MSAL reports either as endpoints_resolution_error. */
  lastDiscovery?: { status: number } | { networkCode: string };

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(url: string, method: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    if (method === 'GET') this.lastDiscovery = undefined;
    const res = await this.fetch(url, method, options, timeout);
    if (method === 'GET') this.lastDiscovery = { status: res.status };
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

  private async fetch(url: string, method: string, options?: NetworkRequestOptions, timeout?: number): Promise<Response> {
    try {
      return await fetch(url, { method, headers: options?.headers ?? {}, ...(options?.body !== undefined ? { body: options.body } : {}), ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {}) });
    } catch (e) {
      const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
      if (method === 'GET') this.lastDiscovery = { networkCode: typeof cause?.code === 'string' ? cause.code : 'NETWORK_ERROR' };
      throw e;
    }
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

  /** A token was issued once: a connection failure after that is a blip, not a wrong setting. */
  private reached = false;

  constructor(
    private readonly side: SideSettings,
    private readonly secrets: SecretStore,
    private readonly site: ImapSite = 'source',
  ) {}

  async getToken(): Promise<AccessToken> {
    const pending = this.getApp();
    const app = await pending;
    try {
      const r = await app.acquireTokenByClientCredential({ scopes: [this.side.tokenScope] });
      if (!r?.accessToken) throw new MigrationError('TOKEN_REQUEST_FAILED', 'transient', 'token endpoint returned no access token');
      registerSecret(r.accessToken);
      this.reached = true;
      return { token: r.accessToken, expiresOnMs: r.expiresOn ? r.expiresOn.getTime() : 0 };
    } catch (e) {
      // MSAL keeps its own throttle after a 429/5xx (60 s without Retry-After) and answers every
      // request meanwhile with the first error, minus its status: our retry policy is the one
      // throttle, so the next attempt starts on a fresh client (the credential is cached; no
      // token was, or MSAL would not have asked).
      if (this.app === pending) this.app = undefined;
      const retryAfterMs = this.network.lastRetryAfterMs;
      throw this.explain(classify(retryAfterMs !== undefined && typeof e === 'object' && e !== null ? Object.assign(e, { retryAfterMs }) : e, 'token'));
    }
  }

  /**
   * Says which setting to fix where the answer shows one: Entra's AADSTS text once, without its
   * trace lines; an authority that does not know the tenant, or that refuses connections before
   * it ever answered (MSAL reports both as endpoints_resolution_error, a transient error).
   */
  private explain(err: MigrationError): MigrationError {
    const prefix = this.site.toUpperCase();
    const where = `${this.site} token endpoint`;
    const summary = aadstsSummary(err.message);
    if (summary) {
      const setting = aadstsSetting(summary, prefix);
      return new MigrationError(err.code, err.errorClass, `${where}: ${summary}${setting ? ` Check ${setting}.` : ''}`, { cause: err, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) });
    }
    const discovery = this.network.lastDiscovery;
    if (!/endpoints_resolution_error/.test(err.message) || !discovery) return err;
    if ('status' in discovery && discovery.status >= 400 && discovery.status < 500) {
      return new MigrationError('TOKEN_INVALID_CLIENT', 'permanent', `${where}: the authority does not know the tenant (HTTP ${discovery.status} for its OpenID configuration). Check ${prefix}_TENANT_ID and ${prefix}_AUTHORITY_HOST.`, { cause: err });
    }
    if ('networkCode' in discovery && !this.reached && FIRST_CONTACT_FAILURES.has(discovery.networkCode)) {
      return new MigrationError('HOST_UNREACHABLE', 'permanent', `${where}: ${discovery.networkCode} at the first contact. Check ${prefix}_AUTHORITY_HOST.`, { cause: err });
    }
    return err;
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
