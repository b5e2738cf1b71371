/**
 * The one settings schema shared by the Functions app (app settings) and `mailmig` (env or a
 * local.settings.json-shaped file). Settings name secrets, they never hold them: the values
 * that are credentials live in Key Vault (or, for local runs, in LOCAL_SECRETS_FILE).
 *
 * Every key is declared here once, with its parser; `loadSettings` validates all of them and
 * reports every bad key in one error, never echoing a value.
 */

import { CONTROL_SETTING_SPECS } from './control-settings.js';

export type Side = 'SOURCE' | 'DESTINATION';
export const SIDES: readonly Side[] = ['SOURCE', 'DESTINATION'];

export type TlsMode = 'implicit' | 'starttls';
export type AuthKind = 'oauth2-app' | 'password' | 'google-service-account' | 'oauth2-delegated';

export interface SettingSpec {
  key: string;
  description: string;
  /** Value used when the key is unset; undefined = no default. */
  defaultValue?: string;
  /** Example for local.settings.example.json (lab-friendly, never a real secret). */
  example: string;
  /** Required in every deployment (the infra templates must set it). */
  requiredInApp: boolean;
}

const side = (s: Side, name: string, spec: Omit<SettingSpec, 'key'>): SettingSpec => ({
  key: `${s}_${name}`,
  ...spec,
});

function sideSpecs(s: Side): SettingSpec[] {
  const who = s === 'SOURCE' ? 'source' : 'destination';
  return [
    side(s, 'IMAP_HOST', { description: `IMAP host of the ${who}.`, example: s === 'SOURCE' ? 'outlook.office365.com' : 'imap.example.net', requiredInApp: true }),
    side(s, 'IMAP_PORT', { description: `IMAP port of the ${who}.`, defaultValue: '993', example: '993', requiredInApp: true }),
    side(s, 'IMAP_TLS', { description: `"implicit" (TLS from the first byte) or "starttls". Plaintext is refused.`, defaultValue: 'implicit', example: 'implicit', requiredInApp: true }),
    side(s, 'AUTH', { description: `"oauth2-app" (client credentials, XOAUTH2 with the mailbox address), "password" (per-mailbox password from Key Vault) "google-service-account" (Google Workspace: a service account with domain-wide delegation, one token per mailbox) or "oauth2-delegated" (each mailbox's owner consents once with \`mailmig login\`; refresh tokens kept encrypted, see TOKEN_CACHE_KEY_NAME).`, defaultValue: 'oauth2-app', example: 'oauth2-app', requiredInApp: true }),
    side(s, 'TENANT_ID', { description: `Entra tenant id (oauth2-app).`, example: '00000000-0000-0000-0000-000000000000', requiredInApp: true }),
    side(s, 'CLIENT_ID', { description: `Application (client) id of the app registration with IMAP.AccessAsApp (oauth2-app).`, example: '11111111-1111-1111-1111-111111111111', requiredInApp: true }),
    side(s, 'AUTHORITY_HOST', { description: `Entra authority host; override for sovereign clouds.`, defaultValue: 'https://login.microsoftonline.com', example: 'https://login.microsoftonline.com', requiredInApp: true }),
    side(s, 'TOKEN_SCOPE', { description: `Scope requested for the IMAP token.`, defaultValue: 'https://outlook.office365.com/.default', example: 'https://outlook.office365.com/.default', requiredInApp: true }),
    side(s, 'CLIENT_SECRET_NAME', { description: `Name of the Key Vault secret holding the client secret (oauth2-app; this or CLIENT_CERT_NAME).`, example: `${who}-client-secret`, requiredInApp: false }),
    side(s, 'CLIENT_CERT_NAME', { description: `Name of the Key Vault certificate (PEM with private key) used for a client assertion (oauth2-app; preferred over a secret).`, example: '', requiredInApp: false }),
    side(s, 'SERVER_KIND', { description: `"auto" (Exchange Online host names mean exchange), "exchange" or "generic": decides folder-name rules and message identity (Exchange regenerates MIME, so identity uses normalised headers there).`, defaultValue: 'auto', example: 'auto', requiredInApp: true }),
    side(s, 'SERVICE_ACCOUNT_KEY_NAME', { description: `Name of the Key Vault secret holding the Google service account's whole JSON key file (google-service-account). The scope is ${'${SIDE}'}_TOKEN_SCOPE when set, else https://mail.google.com/.`.replace('${SIDE}', s), example: '', requiredInApp: false }),
    side(s, 'PASSWORD_SECRET_TEMPLATE', { description: `Key Vault secret name template for per-mailbox passwords (password auth); {mailbox} becomes the address with every character other than a-z, 0-9 replaced by "-".`, example: '', requiredInApp: false }),
  ];
}

export const SETTING_SPECS: readonly SettingSpec[] = [
  ...sideSpecs('SOURCE'),
  ...sideSpecs('DESTINATION'),
  { key: 'KEY_VAULT_URL', description: 'https URL of the Key Vault holding client secrets, certificates and passwords.', example: 'https://my-vault.vault.azure.net', requiredInApp: true },
  { key: 'LOCAL_SECRETS_FILE', description: 'Local runs without Key Vault only: path of a JSON file {"secret-name": "value"}. Ignored when KEY_VAULT_URL is set.', example: '', requiredInApp: false },
  { key: 'STORAGE_CONNECTION_STRING', description: 'Storage connection string for checkpoints, status and reports (local/Azurite). In Azure use STORAGE_ACCOUNT_NAME with managed identity.', example: 'UseDevelopmentStorage=true', requiredInApp: false },
  { key: 'STORAGE_ACCOUNT_NAME', description: 'Storage account used through managed identity (Azure).', example: '', requiredInApp: true },
  { key: 'STORAGE_ENDPOINT_SUFFIX', description: 'Storage endpoint suffix of the cloud the account is in: core.windows.net (public), core.usgovcloudapi.net (US Government), core.chinacloudapi.cn (China).', defaultValue: 'core.windows.net', example: 'core.windows.net', requiredInApp: true },
  { key: 'MIGRATIONS_CONTAINER', description: 'Blob container receiving CSVs under incoming/.', defaultValue: 'migrations', example: 'migrations', requiredInApp: true },
  { key: 'REPORTS_CONTAINER', description: 'Blob container for status documents and reports.', defaultValue: 'reports', example: 'reports', requiredInApp: true },
  { key: 'CHECKPOINT_TABLE', description: 'Table Storage table holding the checkpoint ledger.', defaultValue: 'mailmigcheckpoints', example: 'mailmigcheckpoints', requiredInApp: true },
  { key: 'STATE_DIR', description: 'mailmig only: folder for the local checkpoint ledger and reports when no storage is set (unset: $XDG_STATE_HOME/mailmig, else ~/.local/state/mailmig).', example: '', requiredInApp: false },
  { key: 'MAX_CONCURRENT_MAILBOXES', description: 'Mailboxes migrated at once (per CLI process / per batch wave).', defaultValue: '4', example: '4', requiredInApp: true },
  { key: 'MAX_CONNECTIONS_PER_MAILBOX', description: 'Folders copied at once per mailbox; each uses one source and one destination connection (Exchange allows about 20 per mailbox).', defaultValue: '3', example: '3', requiredInApp: true },
  { key: 'MESSAGES_PER_FOLDER_WORKER', description: 'A mailbox is copied over one more connection pair, or folder lane in the app (up to MAX_CONNECTIONS_PER_MAILBOX), for every this many messages its pass may have to copy; 1 always uses them all.', defaultValue: '500', example: '500', requiredInApp: true },
  { key: 'RANGE_MAX_MESSAGES', description: 'Most messages in one copy range (one activity call).', defaultValue: '500', example: '500', requiredInApp: true },
  { key: 'RANGE_MAX_BYTES', description: 'Most bytes in one copy range.', defaultValue: '104857600', example: '104857600', requiredInApp: true },
  { key: 'MAX_MESSAGE_BYTES', description: 'Largest message the destination accepts; larger ones are skipped and reported.', defaultValue: '36700160', example: '36700160', requiredInApp: true },
  { key: 'APPEND_PIPELINE_DEPTH', description: 'APPENDs in flight on one destination connection when the server offers LITERAL+ and UIDPLUS (Exchange Online and Dovecot do); 0 sends one at a time.', defaultValue: '32', example: '32', requiredInApp: true },
  { key: 'APPEND_BATCH_MESSAGES', description: 'Messages sent in one APPEND command when the destination offers MULTIAPPEND (RFC 3502; Dovecot and Cyrus do, Exchange Online does not); the server stores them in one transaction. 1 sends one message per command.', defaultValue: '50', example: '50', requiredInApp: true },
  { key: 'IMAP_RESPONSE_TIMEOUT_SECONDS', description: 'A connection waiting for an answer that has heard nothing from the server for this long is dropped and its work retried (a silently dead connection would otherwise hold its mailbox forever).', defaultValue: '300', example: '300', requiredInApp: true },
  { key: 'DELTA_INTERVAL_MINUTES', description: 'Minutes between scheduled delta passes of an open batch; 0 = only on demand.', defaultValue: '0', example: '0', requiredInApp: true },
  { key: 'DURABLE_TASK_HUB', description: 'Durable Functions task hub name (host.json reads it).', defaultValue: 'mailmig', example: 'mailmig', requiredInApp: true },
  ...CONTROL_SETTING_SPECS,
  { key: 'TOKEN_CACHE_KEY_NAME', description: 'oauth2-delegated: name of the Key Vault secret (any long random string) whose value encrypts the token caches (refresh tokens) kept per mailbox outside Key Vault.', example: '', requiredInApp: false },
  { key: 'ALL_MAIL_ARCHIVE_FOLDER', description: 'Destination folder for the messages of the source\'s \\All folder (Gmail\'s All Mail) found in no other source folder: archived mail without a label. Unset: the destination\'s Archive folder.', example: '', requiredInApp: false },
  { key: 'BUDGET_WINDOW_SECONDS', description: 'Optional, default 86400 (a day). Length of DAILY_BYTES_PER_MAILBOX\'s window, counted from the first byte the window spends.', defaultValue: '86400', example: '86400', requiredInApp: false },
  { key: 'AUTH_PROPAGATION_WINDOW_MINUTES', description: 'How long authentication refusals are retried (permissions can take about an hour to propagate) before they are reported as permanent.', defaultValue: '0', example: '0', requiredInApp: true },
  { key: 'NOTIFY_WEBHOOK_SECRET_NAME', description: 'Optional. Name of the Key Vault secret (LOCAL_SECRETS_FILE for local runs) holding a webhook URL: a JSON POST when a pass or the batch ends and when a mailbox fails (Slack and Teams incoming webhooks show its "text"). Unset: no notifications.', example: '', requiredInApp: false },
  { key: 'DASHBOARD_URL', description: 'Optional. Address of the live dashboard that HTML reports link to (the Functions app links to its own /api/dashboard when unset).', example: '', requiredInApp: false },
];

export const SETTING_KEYS: readonly string[] = SETTING_SPECS.map((s) => s.key);

/** Keys the Functions host itself reads locally (local.settings.json); in Azure the templates set their identity-based forms. */
export const HOST_LOCAL_KEYS: readonly string[] = ['AzureWebJobsStorage', 'FUNCTIONS_WORKER_RUNTIME'];
