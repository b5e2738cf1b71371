// Well-known identifiers of Exchange Online in Microsoft Entra ID. These are the same in every
// tenant. IMAP.AccessAsApp's role id was checked against published dumps of the Office 365
// Exchange Online service principal's appRoles (it is also what the Entra portal writes into
// the manifest when the permission is picked); the checklist still tells admins how to verify
// it in their own tenant rather than trust a copied GUID.

/** appId of the "Office 365 Exchange Online" resource (service principal) in every tenant. */
export const EXCHANGE_ONLINE_RESOURCE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';

/** id of the `IMAP.AccessAsApp` application role (appRole) of Office 365 Exchange Online. */
export const IMAP_ACCESS_AS_APP_ROLE_ID = '5e5addcd-3e8d-4e90-baf5-964efab2b20a';

/** Client-credentials scope for IMAP and POP app-only access. */
export const EXCHANGE_ONLINE_IMAP_SCOPE = 'https://outlook.office365.com/.default';
