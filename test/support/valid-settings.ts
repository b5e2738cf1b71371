/** A minimal valid settings map (Exchange Online source, password-auth destination): tests vary it. */
export const VALID_SETTINGS: Readonly<Record<string, string>> = {
  SOURCE_IMAP_HOST: 'outlook.office365.com',
  SOURCE_TENANT_ID: 'contoso.onmicrosoft.com',
  SOURCE_CLIENT_ID: '11111111-1111-1111-1111-111111111111',
  SOURCE_CLIENT_SECRET_NAME: 'source-client-secret',
  DESTINATION_IMAP_HOST: 'imap.example.net',
  DESTINATION_AUTH: 'password',
  DESTINATION_PASSWORD_SECRET_TEMPLATE: 'pw-{mailbox}',
  KEY_VAULT_URL: 'https://vault-1.vault.azure.net',
};
