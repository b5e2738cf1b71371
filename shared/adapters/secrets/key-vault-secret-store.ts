import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import { classify } from '../../errors/classify.js';
import { aadstsSummary } from '../../errors/aadsts.js';
import { firstContactCode } from '../../errors/first-contact.js';
import { MigrationError } from '../../errors/migration-error.js';
import { registerSecret } from '../../errors/redact.js';
import type { SecretStore } from '../../contracts/secret-store.js';

const UNREACHABLE_MEMO_MS = 60_000;
const AZURE_CLOUD_VAULT = /\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)$/i;

/**
 * Secrets from Key Vault through the real SecretClient, cached per process (one read per name).
 * The SDK is loaded on first use: a delta pass over unchanged mailboxes should not pay for it twice.
 */
export class KeyVaultSecretStore implements SecretStore {
  private client?: Promise<SecretClient>;
  /** Whether any read of this process reached the vault: after that, a refused connection is a blip. */
  private reached = false;
  /** The first contact's failure, answered for a minute without asking again (the SDK already retried it). */
  private unreachable?: { error: MigrationError; atMs: number };
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly vaultUrl: string,
    private readonly credential: TokenCredential | (() => Promise<TokenCredential>),
  ) {}

  private getClient(): Promise<SecretClient> {
    this.client ??= (async () => {
      const { SecretClient } = await import('@azure/keyvault-secrets');
      const credential = typeof this.credential === 'function' ? await this.credential() : this.credential;
      return new SecretClient(this.vaultUrl, credential, {
        // Off only for vaults outside Azure's domains (the local lab); kept on in Azure.
        disableChallengeResourceVerification: !AZURE_CLOUD_VAULT.test(new URL(this.vaultUrl).hostname),
      });
    })();
    return this.client;
  }

  getSecret(name: string): Promise<string> {
    let p = this.cache.get(name);
    if (!p) {
      p = this.read(name);
      this.cache.set(name, p);
      // A failed read is not cached: the next attempt asks again.
      p.catch(() => this.cache.delete(name));
    }
    return p;
  }

  private async read(name: string): Promise<string> {
    if (this.unreachable && Date.now() - this.unreachable.atMs < UNREACHABLE_MEMO_MS) throw this.unreachable.error;
    try {
      const s = await (await this.getClient()).getSecret(name);
      if (s.value === undefined || s.value === '') throw Object.assign(new Error(`secret "${name}" is empty`), { code: 'SecretNotFound' });
      this.reached = true;
      registerSecret(s.value);
      return s.value;
    } catch (e) {
      // A vault that no read of this process ever reached, refusing or not resolving, is mis-set
      // (KEY_VAULT_URL), not briefly down: every mailbox would spend a minute of retries on it.
      const unreachable = this.reached ? undefined : firstContactCode(e);
      if (unreachable) {
        const error = new MigrationError('HOST_UNREACHABLE', 'permanent', `Key Vault: ${unreachable} at the first contact with ${new URL(this.vaultUrl).host}. Check KEY_VAULT_URL.`, { cause: e });
        this.unreachable = { error, atMs: Date.now() };
        throw error;
      }
      const err = classify(e, 'keyvault');
      // No secret can be read at all: say which settings sign in, not which secret was asked for.
      if (err.code === 'KEY_VAULT_SIGN_IN_FAILED') {
        const summary = aadstsSummary(err.message);
        throw Object.assign(err, { message: `${summary ? `Key Vault sign-in: ${summary}` : err.message} (the Key Vault credential: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or the managed identity)` });
      }
      throw Object.assign(err, { message: `${err.message} (secret "${name}")` });
    }
  }
}
