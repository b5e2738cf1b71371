import type { Settings } from '../config/settings.js';
import type { CheckpointStore } from '../domain/checkpoints/checkpoint-store.js';
import { KeyVaultSecretStore } from '../adapters/secrets/key-vault-secret-store.js';
import { LocalFileSecretStore } from '../adapters/secrets/local-file-secret-store.js';
import type { SecretStore } from '../adapters/secrets/secret-store.js';
import { FileCheckpointStore } from '../adapters/state/file-checkpoint-store.js';
import { lazyCheckpointStore } from '../adapters/state/lazy-checkpoint-store.js';
import { redact } from '../errors/redact.js';
import type { EngineDeps, Logger } from './engine-deps.js';
import { ImapConnector } from './imap-connector.js';
import { SessionPool } from './session-pool.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function createSecretStore(settings: Settings, env: Env): SecretStore {
  // The Azure SDKs load on first use: a CLI run pays only for what its settings name.
  if (settings.keyVaultUrl) return new KeyVaultSecretStore(settings.keyVaultUrl, async () => (await import('../adapters/secrets/key-vault-credential.js')).keyVaultCredential(env));
  return new LocalFileSecretStore(settings.localSecretsFile ?? '');
}

/** Table Storage when storage is configured, else (CLI only) a local file ledger in STATE_DIR. */
export function createCheckpointStore(settings: Settings, env: Env, prefer: 'table' | 'file' | 'auto' = 'auto', log?: Logger): CheckpointStore {
  const hasStorage = Boolean(settings.storageConnectionString || settings.storageAccountName);
  if (prefer === 'file' || (prefer === 'auto' && !hasStorage)) return new FileCheckpointStore(settings.stateDir, log ? (m) => log.warn(m) : undefined);
  return lazyCheckpointStore(async () => {
    const [{ TableClient }, { DefaultAzureCredential }, { TableCheckpointStore }] = await Promise.all([import('@azure/data-tables'), import('@azure/identity'), import('../adapters/state/table-checkpoint-store.js')]);
    const client = settings.storageConnectionString
      ? TableClient.fromConnectionString(settings.storageConnectionString, settings.checkpointTable, { allowInsecureConnection: true })
      : new TableClient(`https://${settings.storageAccountName}.table.core.windows.net`, settings.checkpointTable, new DefaultAzureCredential(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {}));
    return new TableCheckpointStore(client);
  });
}

/** Every log line passes through redact(): libraries quote tokens and secrets in their errors. */
export function redactingLogger(write: (line: string) => void): Logger {
  return { info: (m) => write(redact(m)), warn: (m) => write(redact(`warning: ${m}`)) };
}

export interface Engine extends EngineDeps {
  secrets: SecretStore;
  connector: ImapConnector;
  close(): Promise<void>;
}

export function createEngine(settings: Settings, env: Env, opts: { log: Logger; checkpoints?: CheckpointStore; state?: 'table' | 'file' | 'auto' }): Engine {
  const secrets = createSecretStore(settings, env);
  const connector = new ImapConnector(settings, secrets);
  const pool = new SessionPool(connector, settings.maxConnectionsPerMailbox);
  const owned = opts.checkpoints === undefined;
  const checkpoints = opts.checkpoints ?? createCheckpointStore(settings, env, opts.state ?? 'auto', opts.log);
  return {
    settings,
    secrets,
    connector,
    pool,
    checkpoints,
    log: opts.log,
    close: async () => {
      await pool.closeAll();
      if (owned) await checkpoints.close?.();
    },
  };
}
