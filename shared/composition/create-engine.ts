import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { storageServiceUrl } from '../config/storage-endpoint.js';
import type { TableClient } from '@azure/data-tables';
import type { CheckpointStore } from '../domain/checkpoints/checkpoint-store.js';
import type { PairLeases } from '../domain/leases/batch-lease.js';
import { bothLeases, type MailboxLeases } from '../domain/leases/mailbox-lease.js';
import { TableMailboxLeases } from '../adapters/state/table-mailbox-leases.js';
import { FileLeases } from '../adapters/state/file-leases.js';
import { certificateFacts } from '../adapters/auth/certificate-facts.js';
import type { CertificateReader } from '../contracts/certificate-reader.js';
import { ImapConnectionPool } from '../adapters/imap/imap-connection-pool.js';
import { ImapDialer } from '../adapters/imap/dialer.js';
import { FileTokenCacheStore, TokenCacheCipher, type TokenCacheStore } from '../adapters/auth/token-cache-store.js';
import { BlobTokenCacheStore, type TokenCacheBlobs } from '../adapters/auth/blob-token-cache-store.js';
import { KeyVaultSecretStore } from '../adapters/secrets/key-vault-secret-store.js';
import { LocalFileSecretStore } from '../adapters/secrets/local-file-secret-store.js';
import type { SecretStore } from '../contracts/secret-store.js';
import type { ImapSite } from '../contracts/imap.js';
import { decodeHeaderWords } from '../adapters/lazy-modules.js';
import { FileCheckpointStore } from '../adapters/state/file-checkpoint-store.js';
import { lazyCheckpointStore } from '../adapters/state/lazy-checkpoint-store.js';
import { redact } from '../errors/redact.js';
import { FINGERPRINTS_KEPT, FingerprintCache } from '../engine/fingerprint-cache.js';
import type { EngineDeps, Logger } from '../engine/engine-deps.js';
import { Bandwidth } from '../engine/bandwidth.js';
import { ThrottleGate } from '../engine/retry.js';

/**
 * The composition root: the one place that builds the adapters from the settings and hands
 * them to the engine. Both drivers (cli/, functions/), the tests and the bench call it.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export function createSecretStore(settings: Settings, env: Env): SecretStore {
  // The Azure SDKs load on first use: a CLI run pays only for what its settings name.
  if (settings.keyVaultUrl) return new KeyVaultSecretStore(settings.keyVaultUrl, async () => (await import('../adapters/secrets/key-vault-credential.js')).keyVaultCredential(env));
  return new LocalFileSecretStore(settings.localSecretsFile ?? '');
}

/** Table Storage when storage is configured, else (CLI only) a local file ledger in STATE_DIR. */
export function createCheckpointStore(settings: Settings, env: Env, prefer: 'table' | 'file' | 'auto' = 'auto', log?: Logger): CheckpointStore {
  if (!usesTable(settings, prefer)) return new FileCheckpointStore(settings.stateDir, log ? (m) => log.warn(m) : undefined);
  return lazyCheckpointStore(async () => {
    const { TableCheckpointStore } = await import('../adapters/state/table-checkpoint-store.js');
    return new TableCheckpointStore(await checkpointTableClient(settings, env));
  });
}

function usesTable(settings: Settings, prefer: 'table' | 'file' | 'auto'): boolean {
  const hasStorage = Boolean(settings.storageConnectionString || settings.storageAccountName);
  return prefer === 'table' || (prefer === 'auto' && hasStorage);
}

/** The checkpoint table's client, by connection string (Azurite) or managed identity. */
async function checkpointTableClient(settings: Settings, env: Env): Promise<TableClient> {
  const [{ TableClient }, { DefaultAzureCredential }] = await Promise.all([import('@azure/data-tables'), import('@azure/identity')]);
  return settings.storageConnectionString
    ? TableClient.fromConnectionString(settings.storageConnectionString, settings.checkpointTable, { allowInsecureConnection: true })
    : new TableClient(storageServiceUrl(settings, 'table'), settings.checkpointTable, new DefaultAzureCredential(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {}));
}

/**
 * The Functions app's pair leases, in the checkpoint table (one grant, one table: the lease sits in
 * the partition of the ledger it guards). The SDK loads on first use.
 */
export function createPairLeases(settings: Settings, env: Env): PairLeases {
  let made: Promise<PairLeases> | undefined;
  const leases = (): Promise<PairLeases> =>
    (made ??= (async () => {
      const { TablePairLeases } = await import('../adapters/state/table-pair-leases.js');
      return new TablePairLeases(await checkpointTableClient(settings, env));
    })().catch((e: unknown) => {
      made = undefined; // tried again by the next activity
      throw e;
    }));
  return {
    take: async (mailbox, claim) => (await leases()).take(mailbox, claim),
    renew: async (mailbox, claim) => (await leases()).renew(mailbox, claim),
    release: async (mailbox, claim) => (await leases()).release(mailbox, claim),
  };
}

/**
 * The command line's pair leases: a lock file per pair under STATE_DIR/leases (see FileLeases);
 * and when its ledger is the shared checkpoint table (the same `state` choice as createEngine's),
 * the Functions app's pair lease too, so a run never copies beside a batch of the app.
 */
export function createMailboxLeases(settings: Settings, env: Env, state: 'table' | 'file' | 'auto' = 'auto', log?: Logger): MailboxLeases {
  const files = new FileLeases(join(settings.stateDir, 'leases'));
  if (!usesTable(settings, state)) return files;
  const pairs = createPairLeases(settings, env);
  const table = new TableMailboxLeases(pairs, log ? { warn: (m) => log.warn(m) } : {});
  return bothLeases(files, table);
}

/** Every log line passes through redact(): libraries quote tokens and secrets in their errors. */
export function redactingLogger(write: (line: string) => void): Logger {
  return { info: (m) => write(redact(m)), warn: (m) => write(redact(`warning: ${m}`)) };
}

export interface Engine extends EngineDeps {
  secrets: SecretStore;
  /** Logs in outside the pool (preflight); the pool dials through it too. */
  dialer: ImapDialer;
  /** Preflight describes a certificate credential as the token provider reads it. */
  readCertificate: CertificateReader;
  close(): Promise<void>;
}

/**
 * Where oauth2-delegated keeps the owners' refresh tokens, sealed: blobs for the Functions app
 * (no disk survives its workers), files under STATE_DIR for the CLI's machine.
 */
export function createTokenCacheStore(settings: Settings, env: Env, secrets: SecretStore, where: 'blob' | 'file'): TokenCacheStore {
  const cipher = new TokenCacheCipher(secrets, settings.tokenCacheKeyName);
  if (where === 'file') return new FileTokenCacheStore(join(settings.stateDir, 'token-cache'), cipher);
  let blobs: Promise<TokenCacheBlobs> | undefined;
  const load = (): Promise<TokenCacheBlobs> =>
    (blobs ??= import('../adapters/blob/blob-store.js').then(({ BlobStore }) => BlobStore.fromSettings(settings, env)).catch((e: unknown) => {
      blobs = undefined;
      throw e;
    }));
  return new BlobTokenCacheStore(load, cipher);
}

export function createEngine(settings: Settings, env: Env, opts: { log: Logger; checkpoints?: CheckpointStore; state?: 'table' | 'file' | 'auto'; tokenCaches?: 'blob' | 'file'; consentHint?: (site: ImapSite, mailbox: string) => string }): Engine {
  const secrets = createSecretStore(settings, env);
  const dialer = new ImapDialer(settings, secrets, createTokenCacheStore(settings, env, secrets, opts.tokenCaches ?? 'file'), opts.consentHint);
  const pool = new ImapConnectionPool(dialer, () => new ThrottleGate(), settings.maxConnectionsPerMailbox);
  const owned = opts.checkpoints === undefined;
  const checkpoints = opts.checkpoints ?? createCheckpointStore(settings, env, opts.state ?? 'auto', opts.log);
  return {
    settings,
    secrets,
    dialer,
    readCertificate: certificateFacts,
    pool,
    checkpoints,
    log: opts.log,
    fingerprints: new FingerprintCache(FINGERPRINTS_KEPT),
    decodeHeaderWords,
    bandwidth: new Bandwidth(settings.batchBytesPerSecond),
    close: async () => {
      await pool.closeAll();
      if (owned) await checkpoints.close?.();
    },
  };
}
