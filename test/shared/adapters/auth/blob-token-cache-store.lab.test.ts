import { BlobServiceClient } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { BlobTokenCacheStore, TOKEN_CACHE_CONTAINER } from '../../../../shared/adapters/auth/blob-token-cache-store.js';
import { TokenCacheCipher } from '../../../../shared/adapters/auth/token-cache-store.js';
import { BlobStore } from '../../../../shared/adapters/blob/blob-store.js';
import { getLab } from '../../../lab/lab-info.js';
import { uniqueAddress } from '../../../lab/mailboxes.js';

// The Functions app's token caches in Azurite: sealed as the CLI's files, nothing in clear.

const lab = getLab();
const secrets = (value: string) => ({ getSecret: () => Promise.resolve(value) });
const service = (): BlobServiceClient => BlobServiceClient.fromConnectionString(lab.azurite.connectionString);
const store = (key: string): BlobTokenCacheStore => new BlobTokenCacheStore(() => Promise.resolve(new BlobStore(service())), new TokenCacheCipher(secrets(key), 'cache-key'));

describe('token caches in blobs (Azurite)', () => {
  it('a cache reads back for its side and mailbox only; the sealed blob holds no token and no address in clear', async () => {
    const user = uniqueAddress('Blob.Cache', 'contoso.example');
    const cache = JSON.stringify({ RefreshToken: { x: { secret: '0.lab.refresh-token-in-blob', home_account_id: user } }, Account: { username: user } });
    await store('k'.repeat(40)).write('source', user, cache);
    expect(await store('k'.repeat(40)).read('source', user.toUpperCase())).toBe(cache);
    expect(await store('k'.repeat(40)).read('destination', user)).toBeUndefined();
    expect(await store('k'.repeat(40)).read('source', uniqueAddress('other', 'contoso.example'))).toBeUndefined();
    expect(await store('another key').read('source', user)).toBeUndefined();

    const name = BlobTokenCacheStore.blobName('source', user);
    const names: string[] = [];
    for await (const b of service().getContainerClient(TOKEN_CACHE_CONTAINER).listBlobsFlat({ prefix: 'source/' })) names.push(b.name);
    expect(names).toContain(name);
    expect(name.toLowerCase()).not.toContain('blob.cache');
    const raw = (await service().getContainerClient(TOKEN_CACHE_CONTAINER).getBlockBlobClient(name).downloadToBuffer()).toString('latin1');
    expect(raw).not.toContain('refresh-token-in-blob');
    expect(raw.toLowerCase()).not.toContain(user.toLowerCase());
    expect(raw).not.toContain('RefreshToken');
  }, 60_000);
});
