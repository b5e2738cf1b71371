import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../shared/config/settings.js';

const base = {
  SOURCE_IMAP_HOST: 'imap.gmail.com',
  SOURCE_AUTH: 'google-service-account',
  DESTINATION_IMAP_HOST: 'outlook.office365.com',
  DESTINATION_TENANT_ID: 'contoso.onmicrosoft.com',
  DESTINATION_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  DESTINATION_CLIENT_SECRET_NAME: 'destination-client-secret',
  KEY_VAULT_URL: 'https://contoso-mig.vault.azure.net',
};

describe('settings: google-service-account', () => {
  it('needs the name of the secret holding the key file, and nothing of Entra', () => {
    expect(() => loadSettings(base)).toThrow(SettingsError);
    expect(() => loadSettings(base)).toThrow('SOURCE_SERVICE_ACCOUNT_KEY_NAME must be set for google-service-account');
  });

  it("asks for Gmail's IMAP scope unless a scope is set, and not Exchange Online's default", () => {
    const s = loadSettings({ ...base, SOURCE_SERVICE_ACCOUNT_KEY_NAME: 'google-key' });
    expect(s.source).toMatchObject({ auth: 'google-service-account', serviceAccountKeyName: 'google-key', tokenScope: 'https://mail.google.com/' });
    expect(s.destination.tokenScope).toBe('https://outlook.office365.com/.default');
    const admin = loadSettings({ ...base, SOURCE_SERVICE_ACCOUNT_KEY_NAME: 'google-key', SOURCE_TOKEN_SCOPE: 'https://www.googleapis.com/auth/gmail.imap_admin' });
    expect(admin.source.tokenScope).toBe('https://www.googleapis.com/auth/gmail.imap_admin');
  });

  it('refuses a key name Key Vault would refuse', () => {
    expect(() => loadSettings({ ...base, SOURCE_SERVICE_ACCOUNT_KEY_NAME: 'key.json' })).toThrow('SOURCE_SERVICE_ACCOUNT_KEY_NAME must be a Key Vault name');
  });
});
