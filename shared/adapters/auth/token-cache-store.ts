import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImapSite } from '../../contracts/imap.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import { MigrationError } from '../../errors/migration-error.js';

/**
 * Where MSAL's token cache of one mailbox (its refresh token) rests between runs. Encrypted
 * (AES-256-GCM) with a key derived from the secret TOKEN_CACHE_KEY_NAME names (Key Vault or
 * LOCAL_SECRETS_FILE), so the file or blob alone gives nothing; the mailbox address is bound
 * as additional data, so one mailbox's cache cannot be passed off as another's.
 */
export interface TokenCacheStore {
  read(site: ImapSite, mailbox: string): Promise<string | undefined>;
  write(site: ImapSite, mailbox: string, cache: string): Promise<void>;
}

const VERSION = 1;

/** Encrypts and decrypts caches with the key behind `keyName`. */
export class TokenCacheCipher {
  private key?: Promise<Buffer>;

  constructor(
    private readonly secrets: SecretStore,
    private readonly keyName: string | undefined,
  ) {}

  private getKey(): Promise<Buffer> {
    if (!this.keyName) {
      return Promise.reject(new MigrationError('SETTINGS_INVALID', 'permanent', 'TOKEN_CACHE_KEY_NAME is not set: oauth2-delegated keeps refresh tokens encrypted with the key it names'));
    }
    this.key ??= this.secrets.getSecret(this.keyName).then((v) => createHash('sha256').update(v, 'utf8').digest());
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  async seal(site: ImapSite, mailbox: string, plain: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', await this.getKey(), iv);
    c.setAAD(Buffer.from(`${site}:${addressKey(mailbox)}`));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
  }

  /** undefined when the cache was sealed with another key or for another mailbox: it is as if there were none. */
  async open(site: ImapSite, mailbox: string, sealed: Buffer): Promise<string | undefined> {
    if (sealed.length < 29 || sealed[0] !== VERSION) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', await this.getKey(), sealed.subarray(1, 13));
      d.setAAD(Buffer.from(`${site}:${addressKey(mailbox)}`));
      d.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([d.update(sealed.subarray(29)), d.final()]).toString('utf8');
    } catch (e) {
      if (e instanceof MigrationError) throw e;
      return undefined;
    }
  }
}

/** The CLI's store: one sealed file per side and mailbox under STATE_DIR/token-cache (mode 0600). */
export class FileTokenCacheStore implements TokenCacheStore {
  constructor(
    private readonly dir: string,
    private readonly cipher: TokenCacheCipher,
  ) {}

  private path(site: ImapSite, mailbox: string): string {
    return join(this.dir, site, `${createHash('sha256').update(addressKey(mailbox)).digest('hex').slice(0, 32)}.bin`);
  }

  async read(site: ImapSite, mailbox: string): Promise<string | undefined> {
    const sealed = await readFile(this.path(site, mailbox)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    return sealed === undefined ? undefined : this.cipher.open(site, mailbox, sealed);
  }

  async write(site: ImapSite, mailbox: string, cache: string): Promise<void> {
    const path = this.path(site, mailbox);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, await this.cipher.seal(site, mailbox, cache), { mode: 0o600 });
    await rename(tmp, path);
  }
}
