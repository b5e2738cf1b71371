import type { ErrorCode } from '../../contracts/error-codes.js';

/**
 * What an admin does about each error code, in one sentence: the live dashboard, `mailmig status`
 * and the failure notification show it beside the code. Preflight has the detailed diagnosis
 * (with the setting and the PowerShell); this is the short form for a pass already running.
 */
const FIXES: Record<ErrorCode, string> = {
  CONSENT_NEEDED: 'The mailbox owner\'s consent is missing or was revoked: run mailmig login --csv <the CSV> --side <source|destination> and have the owner sign in with the code it shows, then run a delta pass.',
  IMAP_AUTH_FAILED: 'Check the app has FullAccess and IMAP.AccessAsApp on this mailbox (mailmig prepare), then run a delta pass; mailmig preflight says which side refused.',
  IMAP_NOT_CONNECTED: 'The server dropped the connection at login: check the IMAP host and port settings and that IMAP is enabled for the mailbox.',
  IMAP_CONNECTION_FAILED: 'A connection failed and retries gave up: check the network to the IMAP host, then run a delta pass (copied messages are kept).',
  IMAP_TIMEOUT: 'The server stopped answering: run a delta pass; if it repeats, lower MAX_CONNECTIONS_PER_MAILBOX.',
  IMAP_THROTTLED: 'The server throttled the mailbox: the pass waits and resumes; lower MAX_CONCURRENT_MAILBOXES if it persists.',
  IMAP_TOKEN_EXPIRED: 'The access token expired mid-pass: run a delta pass (a new token is taken).',
  IMAP_TLS_REQUIRED: 'The server requires TLS: set *_IMAP_TLS to implicit (port 993) or starttls.',
  IMAP_COMMAND_FAILED: 'The server refused a command: see the message, fix the folder or mailbox it names, then run a delta pass.',
  MAILBOX_NOT_FOUND: 'Check the address in the CSV and that the mailbox exists on that side.',
  FOLDER_NOT_FOUND: 'The folder disappeared during the pass: run a delta pass.',
  FOLDER_NAME_REJECTED: 'The destination refused the folder name: rename the folder at the source, or accept it as skipped.',
  OVER_QUOTA: 'Raise the destination mailbox quota (or archive), then run a delta pass.',
  MESSAGE_TOO_LARGE: 'Messages larger than the destination accepts are skipped: raise MAX_MESSAGE_BYTES only if the destination allows it.',
  MESSAGE_REJECTED: 'The destination refused some messages: see the report for which, then run a delta pass.',
  TOKEN_REQUEST_FAILED: 'The token endpoint failed: check *_TENANT_ID, *_CLIENT_ID and *_AUTHORITY_HOST, then run a delta pass.',
  TOKEN_INVALID_CLIENT: 'The app credential was refused: renew the client secret or certificate in Key Vault, then run a delta pass.',
  TOKEN_THROTTLED: 'The token endpoint throttled: the pass retries; run a delta pass if it gave up.',
  SECRET_NOT_FOUND: 'Create the Key Vault secret named by the *_SECRET_NAME setting (or fix the setting).',
  SECRET_ACCESS_DENIED: "Grant the app's identity the Key Vault Secrets User role on the vault.",
  KEY_VAULT_UNAVAILABLE: 'Key Vault could not be reached: check KEY_VAULT_URL and the network, then run a delta pass.',
  KEY_VAULT_SIGN_IN_FAILED: 'The identity reading Key Vault could not sign in: check the managed identity (or AZURE_* variables).',
  STORAGE_UNAVAILABLE: 'Storage could not be reached: check the storage settings and roles, then run a delta pass.',
  SETTINGS_INVALID: 'Fix the setting named in the message.',
  CSV_INVALID: 'Fix the CSV rows named in the message and start the batch again.',
  UIDVALIDITY_CHANGED: 'The source folder was rebuilt: the next pass re-plans it and skips what is already at the destination.',
  MAILBOX_CLOSED: 'This mailbox pair was already cut over; remove it from the CSV.',
  MAILBOX_LEASED: 'Another batch is migrating this mailbox pair: wait for it or cancel it, then run a delta pass.',
  RETRIES_EXHAUSTED: 'Transient errors outlasted the retries: run a delta pass (copied messages are kept).',
  HOST_UNREACHABLE: 'The IMAP host refuses connections or does not resolve: check *_IMAP_HOST and *_IMAP_PORT.',
  BATCH_STOPPED: 'Not started: fix the cause the batch stopped on, then run a delta pass.',
  INTERNAL: 'An internal error: run a delta pass; if it repeats, report it with the batch report.',
};

/** The fix for a code; codes from outside the closed set get a general answer. */
export function errorFix(code: string): string {
  return Object.hasOwn(FIXES, code) ? FIXES[code as ErrorCode] : 'See the report for this mailbox, fix what it names, then run a delta pass.';
}
