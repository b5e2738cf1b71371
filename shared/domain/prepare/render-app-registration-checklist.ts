import { EXCHANGE_ONLINE_IMAP_SCOPE, EXCHANGE_ONLINE_RESOURCE_APP_ID, IMAP_ACCESS_AS_APP_ROLE_ID } from './exchange-online-ids.js';
import { PrepareScriptInputError } from './prepare-input.js';

// The Entra ID side of app-only IMAP, as a Markdown checklist for the admin. The Exchange side
// (service principal, IMAP, FullAccess) is the script from renderPrepareScript.

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function renderAppRegistrationChecklist(options: { appId?: string } = {}): string {
  const { appId } = options;
  if (appId !== undefined && !GUID.test(appId)) {
    throw new PrepareScriptInputError([{ field: 'appId', value: appId, reason: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' }]);
  }
  const app = appId === undefined ? 'the migration app' : `app \`${appId}\``;
  const manifest = {
    requiredResourceAccess: [
      { resourceAppId: EXCHANGE_ONLINE_RESOURCE_APP_ID, resourceAccess: [{ id: IMAP_ACCESS_AS_APP_ROLE_ID, type: 'Role' }] },
    ],
  };
  return [
    `# App registration checklist for ${app}`,
    '',
    'mailmig signs in to Exchange Online IMAP with the OAuth 2.0 client credentials flow (no user,',
    `no refresh token) using the scope \`${EXCHANGE_ONLINE_IMAP_SCOPE}\`.`,
    '',
    `- [ ] **App registration.** Entra admin center > App registrations${appId === undefined ? ' > New registration (single tenant)' : ''}.`,
    '  Note the *Application (client) ID* and the *Directory (tenant) ID*.',
    '- [ ] **API permission.** API permissions > Add a permission > APIs my organization uses >',
    '  **Office 365 Exchange Online** > **Application permissions** > `IMAP.AccessAsApp` > Add permissions.',
    '  Not Microsoft Graph, and not the delegated `IMAP.AccessAsUser.All`.',
    '- [ ] **Admin consent.** API permissions > *Grant admin consent for* (your tenant); the status must read *Granted*.',
    '- [ ] **Credential: a certificate (preferred) or a client secret.** Certificates & secrets.',
    '  - Certificate: create it in Key Vault (Certificates > Generate/Import), download the public',
    '    part (.cer) and upload it under Certificates. Key Vault can renew it; nothing secret leaves the vault.',
    '  - Client secret: only if a certificate is impossible. Secrets expire (often after 90 days to',
    '    2 years); note the expiry date and plan the rotation.',
    '- [ ] **Key Vault.** Keep the certificate (or the secret, as a Key Vault secret) in the vault named',
    "  in mailmig's settings, and give the Function App's managed identity read access to it",
    '  (role *Key Vault Secrets User*; a certificate with its private key is read as a secret).',
    "- [ ] **Enterprise application object id.** Entra admin center > Enterprise applications > this app >",
    '  Overview > *Object ID*. This, not the App Registration\'s object id, is the `-ObjectId` of',
    '  `mailmig prepare` (New-ServicePrincipal in Exchange Online).',
    '- [ ] **Exchange Online.** Run the script from `mailmig prepare`: it registers the service principal,',
    '  enables IMAP and grants FullAccess on each mailbox. Allow up to about an hour for the grants to take effect.',
    '',
    '## Manifest fragment',
    '',
    'Choosing the permission in the portal writes this into the app manifest; it can also be pasted',
    'into `requiredResourceAccess` (Manifest blade) before granting admin consent:',
    '',
    '```json',
    JSON.stringify(manifest, null, 2),
    '```',
    '',
    `\`${EXCHANGE_ONLINE_RESOURCE_APP_ID}\` is Office 365 Exchange Online in every tenant, and`,
    `\`${IMAP_ACCESS_AS_APP_ROLE_ID}\` its \`IMAP.AccessAsApp\` application role. To check the role id in`,
    'your own tenant before pasting it, pick the permission in the portal and read the manifest, or run',
    '(Microsoft Graph PowerShell):',
    '',
    '```powershell',
    `(Get-MgServicePrincipal -Filter "appId eq '${EXCHANGE_ONLINE_RESOURCE_APP_ID}'").AppRoles |`,
    "    Where-Object Value -eq 'IMAP.AccessAsApp' | Select-Object Id, Value",
    '```',
    '',
  ].join('\n');
}
