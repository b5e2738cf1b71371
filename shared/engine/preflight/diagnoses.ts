import type { Settings, SideSettings } from '../../config/settings.js';
import { EXCHANGE_ONLINE_IMAP_SCOPE, EXCHANGE_ONLINE_RESOURCE_APP_ID, IMAP_ACCESS_AS_APP_ROLE_ID } from '../../domain/prepare/exchange-online-ids.js';
import { powerShellSingleQuoted } from '../../domain/prepare/powershell-literal.js';
import { redact } from '../../errors/redact.js';
import type { ImapSite } from '../../contracts/imap.js';
import { formatMessageSize as mb } from '../../domain/reports/format-bytes.js';
import type { CheckId } from './types.js';
import { MAILBOX_TOKEN_DIAGNOSES } from './mailbox-token-diagnoses.js';

/**
 * Every failure a preflight can report, mapped to its cause and its fix in plain words: one
 * table, first matching row wins, so an admin reading the report never has to decode an
 * AADSTS number or an IMAP response. Rows are keyed by check id and error code (ErrorCode,
 * claim problem, AADSTS code in the text). Nothing here may quote a secret or a token: the
 * context carries names and addresses only, and every output passes through redact().
 */

export type SecretKind = 'client-secret' | 'certificate' | 'password';

export interface DiagnosisContext {
  check: CheckId;
  side?: ImapSite;
  /** ErrorCode, claim problem code, or FOLDER_RENAMED / MESSAGE_TOO_LARGE. */
  code: string;
  /** The (redacted) error message or finding. */
  message: string;
  settings: Settings;
  /** The address used on this side. */
  mailbox?: string;
  secretName?: string;
  secretKind?: SecretKind;
  /** login only: this side's token was read and its claims were right. */
  tokenVerified?: boolean;
  /** folder-names: the distinct rename/skip codes found. */
  subcodes?: readonly string[];
  /** message-size: how many and how large. */
  overLimitCount?: number;
  largestMessageBytes?: number;
}

export interface Diagnosis {
  cause: string;
  fix: string;
}

export interface DiagnosisRule {
  /** Names the row in tests and docs. */
  key: string;
  check?: CheckId;
  codes?: readonly string[];
  text?: RegExp;
  when?: (c: DiagnosisContext) => boolean;
  diagnose: (c: DiagnosisContext) => Diagnosis;
}

const SIDE_PREFIX: Record<ImapSite, string> = { source: 'SOURCE', destination: 'DESTINATION' };
const prefix = (c: DiagnosisContext): string => SIDE_PREFIX[c.side ?? 'source'];
const sideOf = (c: DiagnosisContext): SideSettings => (c.side === 'destination' ? c.settings.destination : c.settings.source);
const ps = (v: string): string => powerShellSingleQuoted(v);

/** `my-vault` out of https://my-vault.vault.azure.net; a placeholder elsewhere (the lab, private links). */
function vaultName(s: Settings): string {
  const host = s.keyVaultUrl ? new URL(s.keyVaultUrl).hostname : '';
  return /^([a-z0-9-]+)\.vault\./i.exec(host)?.[1] ?? '<vault name>';
}

function vaultLabel(s: Settings): string {
  return s.keyVaultUrl ? `Key Vault ${s.keyVaultUrl}` : `LOCAL_SECRETS_FILE ${s.localSecretsFile ?? ''}`;
}

function secretSetting(c: DiagnosisContext): string {
  if (c.secretKind === 'certificate') return `${prefix(c)}_CLIENT_CERT_NAME`;
  if (c.secretKind === 'password') return `${prefix(c)}_PASSWORD_SECRET_TEMPLATE`;
  return `${prefix(c)}_CLIENT_SECRET_NAME`;
}

/** The command that stores the credential under the name the settings point at. */
function storeSecretCommand(c: DiagnosisContext): string {
  const name = c.secretName ?? '<secret name>';
  if (!c.settings.keyVaultUrl) return `add "${name}": "<value>" to the JSON file LOCAL_SECRETS_FILE`;
  const vault = vaultName(c.settings);
  if (c.secretKind === 'certificate') {
    return `az keyvault certificate import --vault-name ${vault} --name ${name} --file app-cert.pem --policy @pem-policy.json ` +
      `(app-cert.pem holds the private key and the certificate; pem-policy.json sets "secretProperties": {"contentType": "application/x-pem-file"})`;
  }
  const what = c.secretKind === 'password' ? `<password of ${c.mailbox ?? 'the mailbox'}>` : '<client secret Value from the app registration>';
  return `az keyvault secret set --vault-name ${vault} --name ${name} --value '${what}'`;
}

const appRegistration = (side: SideSettings): string => `Entra ID > App registrations > the app with client id ${side.clientId ?? '<client id>'}`;

const GRANT_IMAP_ROLE = (side: SideSettings): string =>
  `Grant the application permission IMAP.AccessAsApp under Office 365 Exchange Online and admin consent (${appRegistration(side)} > API permissions > ` +
  `Add a permission > APIs my organization uses > Office 365 Exchange Online > Application permissions > IMAP.AccessAsApp > Grant admin consent; or ` +
  `az ad app permission add --id ${side.clientId ?? '<client id>'} --api ${EXCHANGE_ONLINE_RESOURCE_APP_ID} --api-permissions ${IMAP_ACCESS_AS_APP_ROLE_ID}=Role ` +
  `&& az ad app permission admin-consent --id ${side.clientId ?? '<client id>'}); the token scope must be ${EXCHANGE_ONLINE_IMAP_SCOPE}`;

function fullAccessFix(c: DiagnosisContext): string {
  const side = sideOf(c);
  const mailbox = ps(c.mailbox ?? '<mailbox>');
  return [
    'In Exchange Online PowerShell (Connect-ExchangeOnline):',
    `New-ServicePrincipal -AppId ${ps(side.clientId ?? '<client id>')} -ObjectId '<object id of the Enterprise Application>'  (once per tenant; Get-ServicePrincipal shows whether it exists)`,
    `Add-MailboxPermission -Identity ${mailbox} -User '<object id of the Enterprise Application>' -AccessRights FullAccess`,
    `Set-CASMailbox -Identity ${mailbox} -ImapEnabled $true`,
    `(mailmig prepare --csv FILE --app-id ${side.clientId ?? '<client id>'} --object-id <Enterprise Application object id> writes these for a whole batch.)`,
    'Then wait: grants can take up to an hour; set AUTH_PROPAGATION_WINDOW_MINUTES=60 to let preflight retry meanwhile.',
  ].join('\n');
}

const TLS_TEXT = /certificate|self[- ]signed|CERT_|SSL|TLS/i;

export const DIAGNOSES: readonly DiagnosisRule[] = [
  ...MAILBOX_TOKEN_DIAGNOSES,
  // --- Key Vault: the credential named in the settings ---
  {
    key: 'secret:SECRET_NOT_FOUND',
    check: 'secret',
    codes: ['SECRET_NOT_FOUND'],
    diagnose: (c) => ({
      cause: `${vaultLabel(c.settings)} has no enabled secret named "${c.secretName ?? ''}" (setting ${secretSetting(c)}): it was never created, is disabled, or the name is misspelt.`,
      fix: `Store it: ${storeSecretCommand(c)}; or correct ${secretSetting(c)}.`,
    }),
  },
  {
    key: 'secret:SECRET_ACCESS_DENIED',
    check: 'secret',
    codes: ['SECRET_ACCESS_DENIED'],
    diagnose: (c) => ({
      cause: `the identity mailmig reads ${vaultLabel(c.settings)} with (the Function App's managed identity, or AZURE_CLIENT_ID when run locally) may not read secret "${c.secretName ?? ''}".`,
      fix: `Assign it the role "Key Vault Secrets User" on the vault: az role assignment create --role "Key Vault Secrets User" --assignee <principal id of that identity> --scope $(az keyvault show --name ${vaultName(c.settings)} --query id -o tsv)`,
    }),
  },
  {
    key: 'secret:KEY_VAULT_UNAVAILABLE',
    check: 'secret',
    codes: ['KEY_VAULT_UNAVAILABLE'],
    diagnose: (c) => ({
      cause: `${vaultLabel(c.settings)} could not be reached or answered with an error (wrong KEY_VAULT_URL, DNS, firewall or private endpoint, or throttling).`,
      fix: `Check KEY_VAULT_URL and the vault's network rules (az keyvault show --name ${vaultName(c.settings)} --query properties.networkAcls), then run preflight again.`,
    }),
  },
  {
    key: 'secret:certificate not PEM',
    check: 'secret',
    codes: ['TOKEN_INVALID_CLIENT'],
    text: /PEM/,
    diagnose: (c) => ({
      cause: `the certificate "${c.secretName ?? ''}" in ${vaultLabel(c.settings)} is not a PEM bundle holding both the private key and the certificate (a certificate imported as PKCS#12/PFX is served as base64 PFX).`,
      fix: `Import it again as PEM: ${storeSecretCommand({ ...c, secretKind: 'certificate' })}.`,
    }),
  },
  {
    key: 'secret:certificate expired',
    check: 'secret',
    codes: ['CERTIFICATE_EXPIRED', 'CERTIFICATE_EXPIRES_SOON'],
    diagnose: (c) => ({
      cause: `the certificate "${c.secretName ?? ''}" ${c.code === 'CERTIFICATE_EXPIRED' ? 'has expired' : 'expires soon'}: ${c.message}. Entra refuses an assertion signed with an expired certificate.`,
      fix: `Create a new certificate, upload its public part to the app (az ad app credential reset --id ${sideOf(c).clientId ?? '<client id>'} --cert @new-cert.pem --append), then ${storeSecretCommand({ ...c, secretKind: 'certificate' })}.`,
    }),
  },

  // --- Entra: the token request ---
  {
    key: 'token:AADSTS7000215 wrong secret',
    check: 'token',
    text: /AADSTS7000215/,
    diagnose: (c) => ({
      cause: `the client secret in Key Vault secret "${c.secretName ?? ''}" is wrong or expired: Entra does not accept it for app ${sideOf(c).clientId ?? ''} (AADSTS7000215: a wrong value, or the secret's ID stored instead of its Value).`,
      fix: `Create a new one in the app registration (${appRegistration(sideOf(c))} > Certificates & secrets > New client secret, copy its Value) and store it: ${storeSecretCommand({ ...c, secretKind: 'client-secret' })}. A certificate (${prefix(c)}_CLIENT_CERT_NAME) does not expire every 90 days.`,
    }),
  },
  {
    key: 'token:AADSTS7000222 expired secret',
    check: 'token',
    text: /AADSTS7000222/,
    diagnose: (c) => ({
      cause: `the client secret in Key Vault secret "${c.secretName ?? ''}" is wrong or expired: it expired (AADSTS7000222).`,
      fix: `Create a new one in the app registration (${appRegistration(sideOf(c))} > Certificates & secrets > New client secret) and store its Value: ${storeSecretCommand({ ...c, secretKind: 'client-secret' })}.`,
    }),
  },
  {
    key: 'token:AADSTS700027 certificate not registered',
    check: 'token',
    text: /AADSTS700027|AADSTS700024|AADSTS50027/,
    diagnose: (c) => ({
      cause: `Entra refused the client assertion signed with certificate "${c.secretName ?? ''}": the certificate is not registered on app ${sideOf(c).clientId ?? ''}, or it is expired or not yet valid.`,
      fix: `Upload the certificate's public part to the app: az ad app credential reset --id ${sideOf(c).clientId ?? '<client id>'} --cert @app-cert.pem --append (or ${appRegistration(sideOf(c))} > Certificates & secrets > Upload certificate).`,
    }),
  },
  {
    key: 'token:AADSTS700016 app not in tenant',
    check: 'token',
    text: /AADSTS700016/,
    diagnose: (c) => ({
      cause: `no application with client id ${sideOf(c).clientId ?? ''} exists in tenant ${sideOf(c).tenantId ?? ''}: the client id or the tenant id is wrong, or a multi-tenant app was never consented in this tenant.`,
      fix: `Check ${prefix(c)}_CLIENT_ID and ${prefix(c)}_TENANT_ID (az ad sp show --id ${sideOf(c).clientId ?? '<client id>'}); for an app from another tenant, have an admin of this tenant consent to it.`,
    }),
  },
  {
    key: 'token:AADSTS90002 tenant not found',
    check: 'token',
    text: /AADSTS90002|AADSTS900023/,
    diagnose: (c) => ({
      cause: `tenant "${sideOf(c).tenantId ?? ''}" does not exist at ${sideOf(c).authorityHost}.`,
      fix: `Set ${prefix(c)}_TENANT_ID to the tenant's id (az account show --query tenantId -o tsv), and ${prefix(c)}_AUTHORITY_HOST for a sovereign cloud (login.microsoftonline.us, login.chinacloudapi.cn).`,
    }),
  },
  {
    key: 'token:AADSTS500011 resource not found',
    check: 'token',
    text: /AADSTS500011|invalid_resource/,
    diagnose: (c) => ({
      cause: `the resource in ${prefix(c)}_TOKEN_SCOPE ("${sideOf(c).tokenScope}") is not known in this tenant.`,
      fix: `Set ${prefix(c)}_TOKEN_SCOPE=${EXCHANGE_ONLINE_IMAP_SCOPE}, and make sure the tenant has Exchange Online.`,
    }),
  },
  {
    key: 'token:invalid scope',
    check: 'token',
    text: /invalid_scope|AADSTS1002012|AADSTS70011/,
    diagnose: (c) => ({
      cause: `the scope "${sideOf(c).tokenScope}" is not valid for an app-only token: client credentials need a resource followed by /.default.`,
      fix: `Set ${prefix(c)}_TOKEN_SCOPE=${EXCHANGE_ONLINE_IMAP_SCOPE}.`,
    }),
  },
  {
    key: 'token:TOKEN_INVALID_CLIENT',
    check: 'token',
    codes: ['TOKEN_INVALID_CLIENT'],
    diagnose: (c) => ({
      cause: `Entra refused the credentials of app ${sideOf(c).clientId ?? ''} (Key Vault ${c.secretKind === 'certificate' ? 'certificate' : 'secret'} "${c.secretName ?? ''}").`,
      fix: `Check ${prefix(c)}_CLIENT_ID, ${prefix(c)}_TENANT_ID and the credential in the app registration; store a new one with ${storeSecretCommand(c)}.`,
    }),
  },
  {
    key: 'token:TOKEN_THROTTLED',
    codes: ['TOKEN_THROTTLED'],
    diagnose: () => ({
      cause: 'Entra is throttling token requests from this tenant.',
      fix: 'Wait a few minutes and run preflight again with a lower --concurrency.',
    }),
  },
  {
    key: 'token:TOKEN_REQUEST_FAILED',
    codes: ['TOKEN_REQUEST_FAILED', 'HOST_UNREACHABLE'],
    diagnose: (c) => ({
      cause: `the token endpoint at ${sideOf(c).authorityHost} could not be reached or failed.`,
      fix: `Check ${prefix(c)}_AUTHORITY_HOST and that outbound HTTPS (443) to it is allowed, then run preflight again.`,
    }),
  },

  // --- What the token says ---
  {
    key: 'token-claims:WRONG_AUDIENCE',
    check: 'token-claims',
    codes: ['WRONG_AUDIENCE'],
    diagnose: (c) => ({
      cause: `the token is not for Exchange Online IMAP (${c.message}): ${prefix(c)}_TOKEN_SCOPE is "${sideOf(c).tokenScope}".`,
      fix: `${GRANT_IMAP_ROLE(sideOf(c))}: set ${prefix(c)}_TOKEN_SCOPE=${EXCHANGE_ONLINE_IMAP_SCOPE}.`,
    }),
  },
  {
    key: 'token-claims:MISSING_ROLE',
    check: 'token-claims',
    codes: ['MISSING_ROLE'],
    diagnose: (c) => ({
      cause: `the app has no IMAP.AccessAsApp application permission with admin consent (${c.message}).`,
      fix: `${GRANT_IMAP_ROLE(sideOf(c))}. Delegated IMAP.AccessAsUser.All does not work for app-only access.`,
    }),
  },
  {
    key: 'token-claims:WRONG_TENANT',
    check: 'token-claims',
    codes: ['WRONG_TENANT'],
    diagnose: (c) => ({
      cause: `the token was issued by another tenant (${c.message}).`,
      fix: `Set ${prefix(c)}_TENANT_ID to the tenant that holds the mailboxes, and register or consent the app there.`,
    }),
  },
  {
    key: 'token-claims:WRONG_APP',
    check: 'token-claims',
    codes: ['WRONG_APP'],
    diagnose: (c) => ({
      cause: `the token belongs to another app (${c.message}).`,
      fix: `Check ${prefix(c)}_CLIENT_ID and that the credential in ${secretSetting(c)} belongs to that app.`,
    }),
  },

  // --- IMAP login ---
  {
    key: 'login:password refused',
    check: 'login',
    codes: ['IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED'],
    when: (c) => sideOf(c).auth === 'password',
    diagnose: (c) => ({
      cause: `the ${c.side ?? ''} server refused the password stored in Key Vault secret "${c.secretName ?? ''}" for ${c.mailbox ?? ''}: the password is wrong or changed, or IMAP is disabled for the account.`,
      fix: `Store the current password: ${storeSecretCommand({ ...c, secretKind: 'password' })}; check that the account may use IMAP.`,
    }),
  },
  {
    key: 'login:token refused',
    check: 'login',
    codes: ['IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED'],
    when: (c) => c.tokenVerified === false,
    diagnose: (c) => ({
      cause: `the ${c.side ?? ''} server refused the app token itself; the token-claims check of this side says what is wrong with it.`,
      fix: 'Fix the token-claims failure first; this login then works or reports the mailbox grant.',
    }),
  },
  {
    key: 'login:IMAP_NOT_CONNECTED / NO with a valid token',
    check: 'login',
    codes: ['IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED'],
    diagnose: (c) => ({
      cause:
        `${c.mailbox ?? 'the mailbox'} refused a valid app token: the app has no FullAccess on this mailbox, the service principal is not registered in Exchange ` +
        `(New-ServicePrincipal with the Enterprise Application's object id, not the App Registration's), the address is wrong, or IMAP is disabled ` +
        `(Set-CASMailbox -ImapEnabled $true); grants can take up to an hour to propagate.`,
      fix: fullAccessFix(c),
    }),
  },
  {
    key: 'login:TLS',
    codes: ['IMAP_CONNECTION_FAILED'],
    text: TLS_TEXT,
    diagnose: (c) => ({
      cause: `the TLS handshake with ${sideOf(c).host}:${sideOf(c).port} failed: the server's certificate is not trusted or does not match the host name, or the port does not speak ${sideOf(c).tls === 'implicit' ? 'implicit TLS' : 'STARTTLS'}.`,
      fix: `Check ${prefix(c)}_IMAP_HOST, ${prefix(c)}_IMAP_PORT and ${prefix(c)}_IMAP_TLS (993 = implicit, 143 = starttls); for a private CA set NODE_EXTRA_CA_CERTS.`,
    }),
  },
  {
    key: 'login:connection',
    codes: ['IMAP_CONNECTION_FAILED', 'IMAP_TIMEOUT', 'HOST_UNREACHABLE'],
    diagnose: (c) => ({
      cause: `no IMAP connection to ${sideOf(c).host}:${sideOf(c).port}: wrong host or port, a firewall, or the server is down.`,
      fix: `Check ${prefix(c)}_IMAP_HOST and ${prefix(c)}_IMAP_PORT, and that outbound TCP ${sideOf(c).port} is allowed (Test-NetConnection ${sideOf(c).host} -Port ${sideOf(c).port}).`,
    }),
  },
  {
    key: 'IMAP_THROTTLED',
    codes: ['IMAP_THROTTLED'],
    diagnose: () => ({
      cause: 'the IMAP server is throttling this mailbox (Exchange allows about 20 connections per mailbox).',
      fix: 'Wait for the suggested back-off and run again; lower MAX_CONNECTIONS_PER_MAILBOX or --concurrency if other tools use the mailbox too.',
    }),
  },
  {
    key: 'IMAP_TOKEN_EXPIRED',
    codes: ['IMAP_TOKEN_EXPIRED'],
    diagnose: () => ({
      cause: 'the token expired during the check (the session was ended with AccessTokenExpired).',
      fix: 'Run preflight again; the engine asks for a new token before each new session.',
    }),
  },

  // --- Content ---
  {
    key: 'message-size:MESSAGE_TOO_LARGE',
    check: 'message-size',
    codes: ['MESSAGE_TOO_LARGE'],
    diagnose: (c) => {
      const limit = c.settings.maxMessageBytes;
      const exchange = c.settings.destination.serverKind === 'exchange';
      return {
        cause: `${c.overLimitCount ?? 0} message(s) are larger than MAX_MESSAGE_BYTES (${mb(limit)}), the most the destination accepts; the largest is ${mb(c.largestMessageBytes ?? 0)}. They would be skipped and listed in the report, not copied.`,
        fix: exchange
          ? `Raise the destination mailbox's limit (Exchange Online allows up to 150 MB: Set-Mailbox -Identity ${ps(c.mailbox ?? '<mailbox>')} -MaxReceiveSize 150MB -MaxSendSize 150MB) and MAX_MESSAGE_BYTES to match, or move those messages out of the mailbox before migrating (the report lists folder and UID).`
          : `Raise the destination server's message size limit and MAX_MESSAGE_BYTES to match, or move those messages out of the mailbox before migrating (the report lists folder and UID).`,
      };
    },
  },
  {
    key: 'folder-names:FOLDER_NAME_REJECTED',
    check: 'folder-names',
    codes: ['FOLDER_NAME_REJECTED'],
    diagnose: (c) => ({
      cause: `some source folders cannot be created at the destination (${describeFolderCodes(c.subcodes ?? [])}); their messages would not be copied.`,
      fix: 'Rename those folders at the source (the detail lists them and why), then run preflight again.',
    }),
  },
  {
    key: 'folder-names:FOLDER_RENAMED',
    check: 'folder-names',
    codes: ['FOLDER_RENAMED'],
    diagnose: (c) => ({
      cause: `some folder names cannot be kept at the destination (${describeFolderCodes(c.subcodes ?? [])}); they will be created under the names shown, with all their messages.`,
      fix: 'Nothing is required. To choose the names yourself, rename those folders at the source before the first pass (renaming later creates new folders).',
    }),
  },
  {
    key: 'folders:FOLDER_NOT_FOUND',
    codes: ['FOLDER_NOT_FOUND'],
    diagnose: () => ({
      cause: 'a folder listed by the server disappeared or cannot be opened (deleted or renamed while preflight ran, or a broken folder).',
      fix: 'Run preflight again; if it repeats, open the folder in a mail client or repair the mailbox.',
    }),
  },
];

const FOLDER_CODE_TEXT: Record<string, string> = {
  RESERVED_NAME: '"Files" is reserved at the top of an Exchange mailbox',
  NAME_COLLISION: 'names that collide at the destination (Exchange folder names are case-insensitive)',
  DELIMITER_IN_NAME: "names containing the destination's folder separator",
  WHITESPACE_TRIMMED: 'leading or trailing spaces, which Exchange drops',
  NAME_REJECTED: 'names the destination cannot hold (empty, too long, or under a folder that is not migrated)',
};

function describeFolderCodes(codes: readonly string[]): string {
  return codes.map((c) => FOLDER_CODE_TEXT[c] ?? c).join('; ');
}

function matches(rule: DiagnosisRule, c: DiagnosisContext): boolean {
  if (rule.check !== undefined && rule.check !== c.check) return false;
  if (rule.codes !== undefined && !rule.codes.includes(c.code)) return false;
  if (rule.text !== undefined && !rule.text.test(c.message)) return false;
  return rule.when === undefined || rule.when(c);
}

/** Cause and fix for a failure; an unknown one still gets the (redacted) error and a way forward. */
export function diagnose(c: DiagnosisContext): Diagnosis & { key: string } {
  const rule = DIAGNOSES.find((r) => matches(r, c));
  const d = rule?.diagnose(c) ?? {
    cause: `unexpected ${c.code} during the ${c.check} check${c.side ? ` (${c.side})` : ''}: ${c.message}`,
    fix: 'Run preflight again; if it repeats, send the JSON report (it holds no secrets or tokens) to whoever maintains mailmig.',
  };
  return { key: rule?.key ?? 'unknown', cause: redact(d.cause), fix: redact(d.fix) };
}
