import { SETTING_SPECS, SIDES, type AuthKind, type Side, type TlsMode } from './schema.js';
import { defaultStateDir } from './state-dir.js';
import { readLocalSecrets } from './local-secrets-file.js';
import type { MailboxControls } from '../contracts/mailbox-controls.js';
import { readControls } from '../domain/controls/read-controls.js';

export type ServerKind = 'exchange' | 'generic';

const EXCHANGE_ONLINE_HOSTS = /(^|\.)(outlook\.office365\.com|outlook\.office\.com|office365\.us|partner\.outlook\.cn|outlook\.office365\.us)$/i;

export interface SideSettings {
  host: string;
  port: number;
  tls: TlsMode;
  auth: AuthKind;
  tenantId?: string;
  clientId?: string;
  authorityHost: string;
  tokenScope: string;
  clientSecretName?: string;
  clientCertName?: string;
  passwordSecretTemplate?: string;
  /** google-service-account: the secret holding the service account's JSON key file. */
  serviceAccountKeyName?: string;
  serverKind: ServerKind;
}

export interface Settings {
  source: SideSettings;
  destination: SideSettings;
  keyVaultUrl?: string;
  localSecretsFile?: string;
  storageConnectionString?: string;
  storageAccountName?: string;
  /** Storage endpoint suffix of the cloud (core.windows.net in the public cloud). */
  storageEndpointSuffix: string;
  migrationsContainer: string;
  reportsContainer: string;
  checkpointTable: string;
  stateDir: string;
  maxConcurrentMailboxes: number;
  maxConnectionsPerMailbox: number;
  /** Messages to copy per folder worker before a mailbox opens another connection pair (CLI). */
  messagesPerFolderWorker: number;
  rangeMaxMessages: number;
  rangeMaxBytes: number;
  maxMessageBytes: number;
  appendPipelineDepth: number;
  /** Messages per APPEND command where the destination offers MULTIAPPEND. */
  appendBatchMessages: number;
  /** IMAP_RESPONSE_TIMEOUT_SECONDS in ms. */
  imapResponseTimeoutMs: number;
  deltaIntervalMinutes: number;
  authPropagationWindowMinutes: number;
  /** Key Vault secret holding the notification webhook's URL; unset: no notifications. */
  notifyWebhookSecretName?: string;
  /** Where HTML reports link for the live view. */
  dashboardUrl?: string;
  /** The batch's folder and date controls; a CSV row's own columns override them (effectiveControls). */
  controls: MailboxControls;
  /** MAX_BYTES_PER_SECOND_PER_BATCH; 0 = no cap. */
  batchBytesPerSecond: number;
  /** BUDGET_WINDOW_SECONDS in ms: the window of the byte budget (the bytes: controls.dailyBytes, DAILY_BYTES_PER_MAILBOX). */
  budgetWindowMs: number;
  /** ALL_MAIL_ARCHIVE_FOLDER: where the source's \All folder sends messages found in no other folder. */
  allMailArchiveFolder?: string;
  /** TOKEN_CACHE_KEY_NAME: the secret whose value encrypts oauth2-delegated token caches. */
  tokenCacheKeyName?: string;
}

export type SettingsSource = Readonly<Record<string, string | undefined>>;

/** Thrown once with every problem; messages name keys, never values. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid settings (${problems.length}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: SettingsSource) {}

  raw(key: string): string | undefined {
    const v = this.env[key];
    if (v === undefined) return undefined;
    const t = v.trim();
    if (t !== '') return t;
    return undefined;
  }

  str(key: string): string | undefined {
    return this.raw(key) ?? SETTING_SPECS.find((s) => s.key === key)?.defaultValue;
  }

  required(key: string, why: string): string {
    const v = this.str(key);
    if (v === undefined) this.problems.push(`${key} is missing (${why})`);
    return v ?? '';
  }

  int(key: string, min: number, max: number): number {
    const v = this.str(key);
    if (v === undefined) {
      this.problems.push(`${key} is missing`);
      return min;
    }
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`${key} must be a whole number from ${min} to ${max}`);
      return min;
    }
    return Number(v);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.str(key);
    if (v !== undefined && (allowed as readonly string[]).includes(v)) return v as T;
    this.problems.push(`${key} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return allowed[0]!;
  }

  url(key: string, opts: { https: boolean; allowPath: boolean }): string | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      this.problems.push(`${key} must be an absolute URL`);
      return undefined;
    }
    if (opts.https && u.protocol !== 'https:') this.problems.push(`${key} must use https`);
    if (!opts.allowPath && u.pathname !== '/' && u.pathname !== '') this.problems.push(`${key} must be a host URL without a path`);
    return v.replace(/\/+$/, '');
  }
}

/** IMAP (and SMTP, POP) on Gmail: the scope a service account is delegated for a mailbox migration. */
export const GOOGLE_MAIL_SCOPE = 'https://mail.google.com/';
/** Delegated IMAP for Exchange Online and Outlook.com, and a refresh token. */
const DELEGATED_SCOPES = 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access';

function readSide(r: Reader, s: Side): SideSettings {
  const k = (n: string): string => `${s}_${n}`;
  const host = r.required(k('IMAP_HOST'), 'the IMAP server name');
  if (host && !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) r.problems.push(`${k('IMAP_HOST')} must be a host name or IP address`);
  const auth = r.oneOf<AuthKind>(k('AUTH'), ['oauth2-app', 'password', 'google-service-account', 'oauth2-delegated']);
  const side: SideSettings = {
    host,
    port: r.int(k('IMAP_PORT'), 1, 65535),
    tls: r.oneOf<TlsMode>(k('IMAP_TLS'), ['implicit', 'starttls']),
    auth,
    authorityHost: r.url(k('AUTHORITY_HOST'), { https: true, allowPath: false }) ?? '',
    // Google's scope unless one is set: the schema's default is Exchange Online's.
    tokenScope: (auth === 'google-service-account' ? (r.raw(k('TOKEN_SCOPE')) ?? GOOGLE_MAIL_SCOPE) : auth === 'oauth2-delegated' ? (r.raw(k('TOKEN_SCOPE')) ?? DELEGATED_SCOPES) : r.str(k('TOKEN_SCOPE'))) ?? '',
    clientSecretName: r.str(k('CLIENT_SECRET_NAME')),
    clientCertName: r.str(k('CLIENT_CERT_NAME')),
    passwordSecretTemplate: r.str(k('PASSWORD_SECRET_TEMPLATE')),
    serverKind: 'generic',
  };
  const kind = r.oneOf<'auto' | ServerKind>(k('SERVER_KIND'), ['auto', 'exchange', 'generic']);
  side.serverKind = kind === 'auto' ? (EXCHANGE_ONLINE_HOSTS.test(host) ? 'exchange' : 'generic') : kind;
  if (auth === 'oauth2-app') {
    side.tenantId = r.required(k('TENANT_ID'), 'needed for oauth2-app');
    side.clientId = r.required(k('CLIENT_ID'), 'needed for oauth2-app');
    if (side.tenantId && !/^[A-Za-z0-9.-]+$/.test(side.tenantId)) r.problems.push(`${k('TENANT_ID')} must be a tenant GUID or domain`);
    if (!side.clientSecretName && !side.clientCertName) {
      r.problems.push(`${k('CLIENT_SECRET_NAME')} or ${k('CLIENT_CERT_NAME')} must be set for oauth2-app`);
    }
  } else if (auth === 'oauth2-delegated') {
    // A public client: no secret. TENANT_ID may be "consumers" (personal accounts) or "organizations".
    side.tenantId = r.required(k('TENANT_ID'), 'needed for oauth2-delegated ("consumers" for personal Microsoft accounts)');
    side.clientId = r.required(k('CLIENT_ID'), 'needed for oauth2-delegated');
    if (side.tenantId && !/^[A-Za-z0-9.-]+$/.test(side.tenantId)) r.problems.push(`${k('TENANT_ID')} must be a tenant GUID or domain, "organizations" or "consumers"`);
    if (!r.str('TOKEN_CACHE_KEY_NAME')) r.problems.push(`TOKEN_CACHE_KEY_NAME must be set for oauth2-delegated (${k('AUTH')})`);
  } else if (auth === 'google-service-account') {
    side.serviceAccountKeyName = r.str(k('SERVICE_ACCOUNT_KEY_NAME'));
    if (side.serviceAccountKeyName === undefined) r.problems.push(`${k('SERVICE_ACCOUNT_KEY_NAME')} must be set for google-service-account`);
  } else if (!side.passwordSecretTemplate || !side.passwordSecretTemplate.includes('{mailbox}')) {
    r.problems.push(`${k('PASSWORD_SECRET_TEMPLATE')} must be set and contain {mailbox} for password auth`);
  }
  for (const key of ['CLIENT_SECRET_NAME', 'CLIENT_CERT_NAME', 'SERVICE_ACCOUNT_KEY_NAME']) {
    const v = r.str(k(key));
    if (v !== undefined && !/^[A-Za-z0-9-]{1,127}$/.test(v)) r.problems.push(`${k(key)} must be a Key Vault name (letters, digits, "-")`);
  }
  return side;
}

/** Validates every key and returns typed settings, or throws one SettingsError naming every bad key. */
export function loadSettings(env: SettingsSource): Settings {
  const r = new Reader(env);
  const [source, destination] = SIDES.map((s) => readSide(r, s)) as [SideSettings, SideSettings];
  const settings: Settings = {
    source,
    destination,
    keyVaultUrl: r.url('KEY_VAULT_URL', { https: true, allowPath: false }),
    localSecretsFile: r.str('LOCAL_SECRETS_FILE'),
    storageConnectionString: r.str('STORAGE_CONNECTION_STRING'),
    storageAccountName: r.str('STORAGE_ACCOUNT_NAME'),
    storageEndpointSuffix: r.str('STORAGE_ENDPOINT_SUFFIX') ?? '',
    migrationsContainer: r.str('MIGRATIONS_CONTAINER') ?? '',
    reportsContainer: r.str('REPORTS_CONTAINER') ?? '',
    checkpointTable: r.str('CHECKPOINT_TABLE') ?? '',
    stateDir: r.str('STATE_DIR') ?? defaultStateDir(),
    maxConcurrentMailboxes: r.int('MAX_CONCURRENT_MAILBOXES', 1, 500),
    maxConnectionsPerMailbox: r.int('MAX_CONNECTIONS_PER_MAILBOX', 1, 20),
    messagesPerFolderWorker: r.int('MESSAGES_PER_FOLDER_WORKER', 1, 1_000_000),
    rangeMaxMessages: r.int('RANGE_MAX_MESSAGES', 1, 10000),
    rangeMaxBytes: r.int('RANGE_MAX_BYTES', 1024, 2 ** 40),
    maxMessageBytes: r.int('MAX_MESSAGE_BYTES', 1024, 2 ** 40),
    appendPipelineDepth: r.int('APPEND_PIPELINE_DEPTH', 0, 256),
    appendBatchMessages: r.int('APPEND_BATCH_MESSAGES', 1, 500),
    imapResponseTimeoutMs: r.int('IMAP_RESPONSE_TIMEOUT_SECONDS', 1, 3600) * 1000,
    deltaIntervalMinutes: r.int('DELTA_INTERVAL_MINUTES', 0, 60 * 24 * 30),
    authPropagationWindowMinutes: r.int('AUTH_PROPAGATION_WINDOW_MINUTES', 0, 24 * 60),
    notifyWebhookSecretName: r.str('NOTIFY_WEBHOOK_SECRET_NAME'),
    dashboardUrl: r.url('DASHBOARD_URL', { https: false, allowPath: true }),
    controls: {},
    batchBytesPerSecond: r.int('MAX_BYTES_PER_SECOND_PER_BATCH', 0, 2 ** 40),
    budgetWindowMs: r.int('BUDGET_WINDOW_SECONDS', 1, 366 * 86_400) * 1000,
    ...optional('allMailArchiveFolder', r.str('ALL_MAIL_ARCHIVE_FOLDER')),
    ...optional('tokenCacheKeyName', r.str('TOKEN_CACHE_KEY_NAME')),
  };
  if (settings.notifyWebhookSecretName !== undefined && !/^[A-Za-z0-9-]{1,127}$/.test(settings.notifyWebhookSecretName)) r.problems.push('NOTIFY_WEBHOOK_SECRET_NAME must be a Key Vault name (letters, digits, "-")');
  const controls = readControls((f) => r.raw(f.setting), (f) => f.setting, false);
  settings.controls = controls.controls;
  r.problems.push(...controls.problems.map((p) => p.message));
  if (!settings.keyVaultUrl && !settings.localSecretsFile) {
    r.problems.push('KEY_VAULT_URL is missing (or LOCAL_SECRETS_FILE for local runs)');
  }
  if (!settings.keyVaultUrl && settings.localSecretsFile) {
    // Read now, not at the first secret: a malformed file would otherwise fail every mailbox.
    const local = readLocalSecrets(settings.localSecretsFile);
    if ('problem' in local) r.problems.push(local.problem);
  }
  for (const c of ['MIGRATIONS_CONTAINER', 'REPORTS_CONTAINER']) {
    const v = r.str(c) ?? '';
    if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(v)) r.problems.push(`${c} must be a blob container name (3-63 lower-case letters, digits, "-")`);
  }
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(settings.storageEndpointSuffix)) r.problems.push('STORAGE_ENDPOINT_SUFFIX must be a DNS suffix such as core.windows.net');
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(settings.checkpointTable)) r.problems.push('CHECKPOINT_TABLE must be a table name (3-63 letters and digits, starting with a letter)');
  if (r.problems.length > 0) throw new SettingsError(r.problems);
  return settings;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
