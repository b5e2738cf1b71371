import { PrepareScriptInputError, validateMailboxes, type PrepareInputProblem } from './prepare-input.js';

// What `mailmig prepare` knows of the side it prepares, taken from the settings: which way in
// (the side's AUTH) and the names the generated script and checklist must use. Every value is
// checked here before it is written anywhere, so the renderers only quote.

export type PrepareSideName = 'source' | 'destination';

/** A mailbox owner signs in once (device code or the app's consent link); refresh tokens kept sealed. */
export interface DelegatedPrepare {
  auth: 'oauth2-delegated';
  side: PrepareSideName;
  /** SIDE_CLIENT_ID: the public client app registration. */
  clientId?: string;
  /** SIDE_TENANT_ID: a tenant, "organizations", or "consumers" (personal Microsoft accounts). */
  tenantId?: string;
  /** TOKEN_CACHE_KEY_NAME. */
  tokenCacheKeyName?: string;
  /** The Key Vault's name (from KEY_VAULT_URL); absent: secrets come from LOCAL_SECRETS_FILE. */
  keyVaultName?: string;
  /** The Functions app's origin (from DASHBOARD_URL), for the consent links and the redirect URI. */
  appOrigin?: string;
  /** The side's server is Exchange Online (IMAP can be enabled per mailbox by an admin). */
  exchangeOnline: boolean;
}

/** A Google Workspace service account with domain-wide delegation. */
export interface GooglePrepare {
  auth: 'google-service-account';
  side: PrepareSideName;
  /** SIDE_SERVICE_ACCOUNT_KEY_NAME. */
  serviceAccountKeyName?: string;
  /** SIDE_TOKEN_SCOPE (https://mail.google.com/ unless set). */
  tokenScope: string;
  keyVaultName?: string;
  /** ALL_MAIL_ARCHIVE_FOLDER; absent: the destination's Archive folder. */
  archiveFolder?: string;
}

export type NonAppPrepare = DelegatedPrepare | GooglePrepare;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT = /^[A-Za-z0-9.-]{1,253}$/;
const SECRET_NAME = /^[A-Za-z0-9-]{1,127}$/;
const VAULT_NAME = /^[A-Za-z][A-Za-z0-9-]{2,23}$/;
const SCOPE = /^https:\/\/[A-Za-z0-9./_-]+$/;
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** The personal-account authority: no tenant, no admin, no Conditional Access. */
export const isConsumers = (p: DelegatedPrepare): boolean => p.tenantId?.toLowerCase() === 'consumers';

/** The mailboxes (deduplicated, each checked as the app-only script checks them), or throws PrepareScriptInputError naming every problem. */
export function validateNonAppPrepare(p: NonAppPrepare, mailboxes: readonly string[]): string[] {
  const problems: PrepareInputProblem[] = [];
  const bad = (field: PrepareInputProblem['field'], value: string | undefined, ok: RegExp, reason: string): void => {
    if (value !== undefined && !ok.test(value)) problems.push({ field, value, reason });
  };
  bad('keyVault', p.keyVaultName, VAULT_NAME, 'must be a Key Vault name (3-24 letters, digits, "-")');
  if (p.auth === 'oauth2-delegated') {
    bad('appId', p.clientId, GUID, 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
    bad('tenant', p.tenantId, TENANT, 'must be a tenant GUID or domain, "organizations" or "consumers"');
    bad('secretName', p.tokenCacheKeyName, SECRET_NAME, 'must be a Key Vault secret name (letters, digits, "-")');
    bad('appOrigin', p.appOrigin, ORIGIN, 'must be the https origin of the Functions app');
  } else {
    bad('secretName', p.serviceAccountKeyName, SECRET_NAME, 'must be a Key Vault secret name (letters, digits, "-")');
    bad('scope', p.tokenScope, SCOPE, 'must be an https scope URL such as https://mail.google.com/');
  }
  const valid = validateMailboxes(mailboxes, problems);
  if (problems.length > 0) throw new PrepareScriptInputError(problems);
  return valid;
}
