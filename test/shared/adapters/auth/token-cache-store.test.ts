import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTokenCacheStore, TokenCacheCipher } from '../../../../shared/adapters/auth/token-cache-store.js';

const secrets = (value: string) => ({ getSecret: () => Promise.resolve(value) });
const CACHE = JSON.stringify({ RefreshToken: { x: { secret: '0.lab.refresh-token-value' } } });

describe('sealed token caches', () => {
  it('a cache reads back for its side and mailbox only, and rests without a readable token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmig-cache-'));
    const store = new FileTokenCacheStore(dir, new TokenCacheCipher(secrets('k'.repeat(40)), 'cache-key'));
    await store.write('source', 'Adele@Contoso.com', CACHE);
    expect(await store.read('source', 'adele@contoso.com')).toBe(CACHE);
    expect(await store.read('destination', 'adele@contoso.com')).toBeUndefined();
    expect(await store.read('source', 'megan@contoso.com')).toBeUndefined();
    const [file] = readdirSync(join(dir, 'source'));
    const raw = readFileSync(join(dir, 'source', file!)).toString('latin1');
    expect(raw).not.toContain('refresh-token-value');
    expect(file).not.toContain('adele');
  });

  it('another key opens nothing (as if no one had signed in), and no key name is a settings error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmig-cache-'));
    await new FileTokenCacheStore(dir, new TokenCacheCipher(secrets('first key value'), 'k')).write('source', 'a@b.c', CACHE);
    expect(await new FileTokenCacheStore(dir, new TokenCacheCipher(secrets('other key value'), 'k')).read('source', 'a@b.c')).toBeUndefined();
    await expect(new FileTokenCacheStore(dir, new TokenCacheCipher(secrets('x'), undefined)).read('source', 'a@b.c')).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
  });
});
