// User-defined types shared by main.bicep and the modules (compile-time imports: no registry).
// Field names follow shared/config/schema.ts; the defaults named in the descriptions are the
// schema's defaultValue and are applied in function-app.bicep.

@export()
@description('One side of a migration: becomes the SOURCE_* or DESTINATION_* app settings.')
type imapEndpointType = {
  @description('Required. IMAP host name, e.g. "outlook.office365.com" for Exchange Online.')
  @minLength(1)
  host: string

  @description('Optional. IMAP port. Default 993.')
  @minValue(1)
  @maxValue(65535)
  port: int?

  @description('Optional. "implicit" (TLS from the first byte) or "starttls". Default "implicit".')
  tls: ('implicit' | 'starttls')?

  @description('Optional. "oauth2-app" (client credentials, XOAUTH2) or "password" (per-mailbox passwords in Key Vault). Default "oauth2-app".')
  auth: ('oauth2-app' | 'password')?

  @description('Optional. Entra tenant id (oauth2-app).')
  tenantId: string?

  @description('Optional. Application (client) id of the app registration granted IMAP.AccessAsApp (oauth2-app).')
  clientId: string?

  @description('Optional. Entra authority host. Default: the login endpoint of the cloud being deployed to.')
  authorityHost: string?

  @description('Optional. Scope requested for the IMAP token. Default "https://outlook.office365.com/.default".')
  tokenScope: string?

  @description('Optional. Name of the Key Vault secret holding the client secret (oauth2-app; this or clientCertName).')
  clientSecretName: string?

  @description('Optional. Name of the Key Vault certificate used for a client assertion (oauth2-app; preferred over a secret).')
  clientCertName: string?

  @description('Optional. Key Vault secret name template for per-mailbox passwords (password auth); must contain {mailbox}.')
  passwordSecretTemplate: string?

  @description('Optional. "auto" (Exchange Online host names mean exchange), "exchange" or "generic": folder-name rules and message identity. Default "auto".')
  serverKind: ('auto' | 'exchange' | 'generic')?
}

@export()
@description('Throughput and size limits: the tuning app settings. Every field is optional; defaults are the schema\'s.')
type migrationTuningType = {
  @description('Optional. MAX_CONCURRENT_MAILBOXES: mailboxes migrated at once per batch wave. Default 4.')
  @minValue(1)
  @maxValue(500)
  maxConcurrentMailboxes: int?

  @description('Optional. MAX_CONNECTIONS_PER_MAILBOX: folders copied at once per mailbox (Exchange allows about 20 connections per mailbox). Default 3.')
  @minValue(1)
  @maxValue(20)
  maxConnectionsPerMailbox: int?

  @description('Optional. RANGE_MAX_MESSAGES: most messages in one copy range. Default 500.')
  @minValue(1)
  @maxValue(10000)
  rangeMaxMessages: int?

  @description('Optional. RANGE_MAX_BYTES: most bytes in one copy range. Default 104857600.')
  @minValue(1024)
  rangeMaxBytes: int?

  @description('Optional. MAX_MESSAGE_BYTES: largest message the destination accepts, at most 150 MB (Exchange Online\'s limit). With instanceMemoryMB it decides how many activities an instance runs at once. Default 36700160.')
  @minValue(1024)
  @maxValue(157286400)
  maxMessageBytes: int?

  @description('Optional. DELTA_INTERVAL_MINUTES: minutes between scheduled delta passes; 0 = on demand only. Default 0.')
  @minValue(0)
  @maxValue(43200)
  deltaIntervalMinutes: int?

  @description('Optional. AUTH_PROPAGATION_WINDOW_MINUTES: how long authentication refusals are retried while permissions propagate. Default 0.')
  @minValue(0)
  @maxValue(1440)
  authPropagationWindowMinutes: int?

  @description('Optional. MESSAGES_PER_FOLDER_WORKER: a mailbox gets one more folder lane for every this many messages to copy. Default 500.')
  @minValue(1)
  @maxValue(1000000)
  messagesPerFolderWorker: int?

  @description('Optional. APPEND_PIPELINE_DEPTH: APPENDs in flight on one destination connection (LITERAL+ and UIDPLUS); 0 sends one at a time. Default 32.')
  @minValue(0)
  @maxValue(256)
  appendPipelineDepth: int?

  @description('Optional. APPEND_BATCH_MESSAGES: messages per MULTIAPPEND command (RFC 3502); 1 sends one per command. Default 50.')
  @minValue(1)
  @maxValue(500)
  appendBatchMessages: int?

  @description('Optional. IMAP_RESPONSE_TIMEOUT_SECONDS: a connection silent for this long while waiting is dropped and its work retried. Default 300.')
  @minValue(1)
  @maxValue(3600)
  imapResponseTimeoutSeconds: int?

  @description('Optional. DELETE_AT_CUTOVER: at cut-over, remove the copies of messages expunged at the source since they were copied (never a message we did not copy). Default false.')
  deleteAtCutover: bool?

  @description('Optional. DELETE_GONE_FOLDERS_AT_CUTOVER: at cut-over, for folders deleted at the source, remove the copies we made and delete the destination folder if it is then empty and has no subfolders. Default false.')
  deleteGoneFoldersAtCutover: bool?

  @description('Optional. MAX_BYTES_PER_SECOND_PER_MAILBOX: bandwidth cap per mailbox, bytes/s; 0 = none. Default 0.')
  @minValue(0)
  maxBytesPerSecondPerMailbox: int?

  @description('Optional. MAX_BYTES_PER_SECOND_PER_BATCH: bandwidth cap per batch, bytes/s, held per instance (divide the budget by the instances the app may scale to); 0 = none. Default 0.')
  @minValue(0)
  maxBytesPerSecondPerBatch: int?

  @description('Optional. DAILY_BYTES_PER_MAILBOX: source bytes one mailbox may read per budget window (Google: about 2,500 MB a day); 0 = none. Default 0.')
  @minValue(0)
  dailyBytesPerMailbox: int?

  @description('Optional. BUDGET_WINDOW_SECONDS: length of the byte budget\'s window. Default 86400.')
  @minValue(1)
  @maxValue(31622400)
  budgetWindowSeconds: int?
}

@export()
@description('Names of the storage objects the app uses (MIGRATIONS_CONTAINER, REPORTS_CONTAINER, CHECKPOINT_TABLE).')
type storageLayoutType = {
  @description('Optional. Blob container receiving CSVs under incoming/. Default "migrations".')
  @minLength(3)
  @maxLength(63)
  migrationsContainer: string?

  @description('Optional. Blob container for status documents and reports. Default "reports".')
  @minLength(3)
  @maxLength(63)
  reportsContainer: string?

  @description('Optional. Table holding the checkpoint ledger (created by the app). Default "mailmigcheckpoints".')
  @minLength(3)
  @maxLength(63)
  checkpointTable: string?
}
