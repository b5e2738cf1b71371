/** Closed set of error codes, normalising the casing of the libraries beneath us. */
export const ERROR_CODES = [
  'IMAP_AUTH_FAILED',
  'IMAP_NOT_CONNECTED',
  'IMAP_CONNECTION_FAILED',
  'IMAP_TIMEOUT',
  'IMAP_THROTTLED',
  'IMAP_TOKEN_EXPIRED',
  'IMAP_TLS_REQUIRED',
  'IMAP_COMMAND_FAILED',
  'MAILBOX_NOT_FOUND',
  'FOLDER_NOT_FOUND',
  'FOLDER_NAME_REJECTED',
  'OVER_QUOTA',
  'MESSAGE_TOO_LARGE',
  'MESSAGE_REJECTED',
  'TOKEN_REQUEST_FAILED',
  'TOKEN_INVALID_CLIENT',
  'TOKEN_THROTTLED',
  /** oauth2-delegated: the mailbox's owner has not consented, or the grant is gone (revoked, expired): `mailmig login`. */
  'CONSENT_NEEDED',
  'SECRET_NOT_FOUND',
  'SECRET_ACCESS_DENIED',
  'KEY_VAULT_UNAVAILABLE',
  /** The credential Key Vault is read with (AZURE_* variables or the managed identity) could not get a token. */
  'KEY_VAULT_SIGN_IN_FAILED',
  'STORAGE_UNAVAILABLE',
  'SETTINGS_INVALID',
  'CSV_INVALID',
  'UIDVALIDITY_CHANGED',
  'MAILBOX_CLOSED',
  'MAILBOX_LEASED',
  /** Durable driver: an activity still failed transiently when the orchestrator's RetryOptions gave up. */
  'RETRIES_EXHAUSTED',
  /** A host that refuses connections or does not resolve from the first contact on: a setting, not a blip. */
  'HOST_UNREACHABLE',
  /** Not started: the batch stopped on a cause that fails every mailbox (BATCH_WIDE). */
  'BATCH_STOPPED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorClass = 'transient' | 'throttled' | 'permanent';

/** Codes after which no other folder of the mailbox can succeed either (both drivers stop the mailbox). */
export const MAILBOX_FATAL: readonly string[] = ['CONSENT_NEEDED', 'IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED', 'OVER_QUOTA', 'TOKEN_INVALID_CLIENT', 'SECRET_NOT_FOUND', 'SECRET_ACCESS_DENIED', 'KEY_VAULT_SIGN_IN_FAILED', 'HOST_UNREACHABLE', 'MAILBOX_LEASED'] satisfies ErrorCode[];

/** Codes whose cause is shared by every mailbox of the batch (a credential, a tenant, an endpoint): the batch stops. */
export const BATCH_WIDE: readonly string[] = ['TOKEN_INVALID_CLIENT', 'KEY_VAULT_SIGN_IN_FAILED', 'HOST_UNREACHABLE'] satisfies ErrorCode[];
