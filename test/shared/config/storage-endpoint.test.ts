import { describe, expect, it } from 'vitest';
import { BlobStore } from '../../../shared/adapters/blob/blob-store.js';
import { loadSettings, SettingsError } from '../../../shared/config/settings.js';
import { storageServiceUrl } from '../../../shared/config/storage-endpoint.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

const inAzure = { ...VALID_SETTINGS, STORAGE_ACCOUNT_NAME: 'stmailmig1' };

/** The endpoint a BlobStore built from settings talks to (the client's url, no request made). */
const blobUrlOf = (store: BlobStore): string => (store as unknown as { service: { url: string } }).service.url;

describe('storage endpoints follow STORAGE_ENDPOINT_SUFFIX', () => {
  it('default to the public cloud', () => {
    const settings = loadSettings(inAzure);
    expect(storageServiceUrl(settings, 'table')).toBe('https://stmailmig1.table.core.windows.net');
    expect(blobUrlOf(BlobStore.fromSettings(settings, {}))).toMatch(/^https:\/\/stmailmig1\.blob\.core\.windows\.net\/?$/);
  });

  it('take a sovereign cloud suffix for the blob store and the checkpoint table', () => {
    const settings = loadSettings({ ...inAzure, STORAGE_ENDPOINT_SUFFIX: 'core.usgovcloudapi.net' });
    expect(storageServiceUrl(settings, 'table')).toBe('https://stmailmig1.table.core.usgovcloudapi.net');
    expect(blobUrlOf(BlobStore.fromSettings(settings, {}))).toMatch(/^https:\/\/stmailmig1\.blob\.core\.usgovcloudapi\.net\/?$/);
  });

  it('refuse a suffix that is not a DNS suffix, naming the key and not the value', () => {
    const error = ((): unknown => {
      try {
        loadSettings({ ...inAzure, STORAGE_ENDPOINT_SUFFIX: 'https://evil-value/' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SettingsError);
    expect(String((error as SettingsError).message)).toContain('STORAGE_ENDPOINT_SUFFIX');
    expect(String((error as SettingsError).message)).not.toContain('evil-value');
  });
});
