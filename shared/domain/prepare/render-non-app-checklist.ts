import { EXCHANGE_ONLINE_RESOURCE_APP_ID } from './exchange-online-ids.js';
import { isConsumers, validateNonAppPrepare, type DelegatedPrepare, type GooglePrepare, type NonAppPrepare } from './prepare-side.js';
import { imapAdmin } from './render-google-script.js';

// The setup checklists (Markdown) of the ways in that are not app-only Exchange: delegated
// sign-in (work or school accounts, personal Microsoft accounts) and a Google Workspace service
// account. They name the real settings and commands; the values come from the settings, checked
// by validateNonAppPrepare. Addresses appear only URL-encoded in links or in code spans (they
// can hold no backtick: see unsafeScriptCharacters).

const SIDE_KEY = (p: NonAppPrepare, key: string): string => `${p.side.toUpperCase()}_${key}`;

export function renderNonAppChecklist(p: NonAppPrepare, csvMailboxes: readonly string[]): string {
  const mailboxes = validateNonAppPrepare(p, csvMailboxes);
  return (p.auth === 'oauth2-delegated' ? delegated(p, mailboxes) : google(p, mailboxes)).join('\n');
}

function delegated(p: DelegatedPrepare, mailboxes: readonly string[]): string[] {
  const personal = isConsumers(p);
  const k = (key: string): string => SIDE_KEY(p, key);
  const origin = p.appOrigin ?? 'https://<function app>.azurewebsites.net';
  const link = (m: string): string => `${origin}/api/consent/start?side=${p.side}&mailbox=${encodeURIComponent(m)}&code=<httpConsentStart key>`;
  return [
    `# Delegated sign-in checklist (${k('AUTH')}=oauth2-delegated, ${personal ? 'personal Microsoft accounts' : 'work or school accounts'})`,
    '',
    'Each mailbox\'s owner signs in once; mailmig keeps the refresh token sealed and renews tokens by',
    'itself. No admin grants anything on the mailboxes: each owner grants access to their own.',
    '',
    `- [ ] **App registration.** Entra admin center > App registrations > New registration. Supported account types: ${personal ? '*Accounts in any organizational directory and personal Microsoft accounts*' : '*Accounts in this organizational directory only* (or any organizational directory)'}.`,
    `  Its *Application (client) ID* is \`${k('CLIENT_ID')}\`${p.clientId === undefined ? '' : ` (now \`${p.clientId}\`)`}.`,
    '- [ ] **Public client.** Authentication > *Allow public client flows*: **Yes** (the device code of `mailmig login`). No client secret or certificate.',
    `- [ ] **Redirect URI (Functions app only).** Authentication > Add a platform > *Mobile and desktop applications*: \`${origin}/api/consent/callback\`.`,
    '- [ ] **Delegated permissions.** API permissions > Add a permission > APIs my organization uses > **Office 365 Exchange Online** >',
    '  **Delegated permissions** > `IMAP.AccessAsUser.All`; and Microsoft Graph > `offline_access` (the refresh token).',
    `  Delegated, not an application permission. (Exchange Online is \`${EXCHANGE_ONLINE_RESOURCE_APP_ID}\` in the manifest.)`,
    personal
      ? `- [ ] **Authority.** \`${k('TENANT_ID')}=consumers\`${p.tenantId === undefined ? '' : ` (now \`${p.tenantId}\`)`}: outlook.com, hotmail.com and live.com accounts. There is no admin consent and no Conditional Access; each owner consents for themselves.`
      : `- [ ] **Authority.** \`${k('TENANT_ID')}\`${p.tenantId === undefined ? '' : ` (now \`${p.tenantId}\`)`}: your tenant id, or \`organizations\` for mailboxes of several tenants (\`consumers\` is for personal accounts only). Grant admin consent if your tenant does not let users consent to apps.`,
    ...(personal
      ? []
      : ['- [ ] **Conditional Access.** A policy that blocks the device code flow (Authentication flows) refuses `mailmig login`: exclude the app or the users, or use the Functions app\'s consent links (authorization code), which such a policy does not block.']),
    ...(p.exchangeOnline && !personal ? ['- [ ] **IMAP on each mailbox.** The script from `mailmig prepare` runs `Set-CASMailbox -ImapEnabled $true` for each and checks it.'] : []),
    `- [ ] **Token-cache key.** A Key Vault secret named \`TOKEN_CACHE_KEY_NAME\`${p.tokenCacheKeyName === undefined ? '' : ` (now \`${p.tokenCacheKeyName}\`)`}, a long random string${p.keyVaultName === undefined ? '' : ` in \`${p.keyVaultName}\``}: the script creates it if missing. It seals every mailbox's refresh token; the Function App's identity reads it (*Key Vault Secrets User*).`,
    `- [ ] **Consent, once per mailbox** (${mailboxes.length}). From a machine with the CLI: \`mailmig login --csv <the CSV> --side ${p.side}\` prints one code per mailbox with the URL and waits for each owner. With the Functions app, send each owner their link (with a function key of \`httpConsentStart\` as \`code\`):`,
    '',
    ...mailboxes.map((m) => `  - \`${m}\`: ${link(m)}`),
    '',
    '- [ ] **Check.** `mailmig preflight --csv <the CSV>` names each mailbox whose consent is missing (`CONSENT_NEEDED`) with the command or link that fixes it.',
    '',
  ];
}

function google(p: GooglePrepare, mailboxes: readonly string[]): string[] {
  const k = (key: string): string => SIDE_KEY(p, key);
  const secret = p.serviceAccountKeyName ?? 'google-key';
  const archive = p.archiveFolder === undefined ? "the destination's Archive folder (`ALL_MAIL_ARCHIVE_FOLDER` unset)" : `\`\`${JSON.stringify(p.archiveFolder)}\`\` (\`ALL_MAIL_ARCHIVE_FOLDER\`)`;
  return [
    `# Google Workspace checklist (${k('AUTH')}=google-service-account)`,
    '',
    'mailmig signs in to Gmail as each mailbox with a service account and domain-wide delegation (a',
    'JWT bearer grant with the mailbox as `sub`, one token per mailbox per hour). No Exchange Online',
    'step belongs to this side.',
    '',
    '- [ ] **Service account.** Google Cloud console > IAM & Admin > Service accounts > Create; then Keys > Add key > JSON.',
    `- [ ] **Key in Key Vault.** Run the script from \`mailmig prepare\` with \`-KeyFile key.json\`: it stores the whole file as the secret \`${secret}\` (\`${k('SERVICE_ACCOUNT_KEY_NAME')}\`)${p.keyVaultName === undefined ? ' (no KEY_VAULT_URL: an entry of that name in LOCAL_SECRETS_FILE)' : ` in \`${p.keyVaultName}\``} and prints the key's \`client_id\`. Then delete the file.`,
    `- [ ] **Domain-wide delegation.** Admin console > Security > Access and data control > API controls > Domain-wide delegation > Add new: the \`client_id\`, scope \`${p.tokenScope}\` (\`${k('TOKEN_SCOPE')}\`; \`https://www.googleapis.com/auth/gmail.imap_admin\` sees every label whatever the user's IMAP setting).`,
    imapAdmin(p.tokenScope)
      ? '- [ ] **IMAP.** Not needed: the `gmail.imap_admin` scope ignores the users\' IMAP setting.'
      : `- [ ] **IMAP on for the users.** Admin console > Apps > Google Workspace > Gmail > End User Access > POP and IMAP access, for the ${mailboxes.length} mailboxes of the CSV.`,
    `- [ ] **Settings.** \`${k('AUTH')}=google-service-account\`, \`${k('IMAP_HOST')}=imap.gmail.com\`, \`${k('SERVICE_ACCOUNT_KEY_NAME')}=${secret}\`.`,
    `- [ ] **Folders.** Labels become folders (nested labels nested); Starred, Important and the \`[Gmail]\` container are not copied; \`[Gmail]/All Mail\` (\`\\All\`) is copied only for its archived-only messages (in no label), once each, into ${archive}. The report counts them (\`archivedOnly\`).`,
    '- [ ] **Check.** `mailmig preflight --csv <the CSV>` says per mailbox what is missing (delegation not allowed for the client id or scope, IMAP off, an unknown user).',
    '',
  ];
}
