import { createHash } from 'node:crypto';
import type { ImapSite } from '../../contracts/imap.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import type { TokenCacheCipher, TokenCacheStore } from './token-cache-store.js';

/** What the store needs of blob storage (BlobStore has it); a port so the SDK loads on first use. */
export interface TokenCacheBlobs {
  get(container: string, name: string): Promise<Buffer | undefined>;
  put(container: string, name: string, body: Buffer, contentType: string): Promise<void>;
}

/**
 * Its own container, not the reports': reports are downloaded, shared and kept by their own
 * retention; a consent must outlive them and should not travel with them, even sealed.
 */
export const TOKEN_CACHE_CONTAINER = 'mailmig-token-cache';

/**
 * The Functions app's store: one blob per side and mailbox, sealed exactly as the CLI's files
 * (TokenCacheCipher: AES-256-GCM, side and address bound as additional data). The blob name is
 * a hash of the address, so a listing names no mailbox.
 */
export class BlobTokenCacheStore implements TokenCacheStore {
  constructor(
    private readonly blobs: () => Promise<TokenCacheBlobs>,
    private readonly cipher: TokenCacheCipher,
    private readonly container: string = TOKEN_CACHE_CONTAINER,
  ) {}

  static blobName(site: ImapSite, mailbox: string): string {
    return `${site}/${createHash('sha256').update(addressKey(mailbox)).digest('hex').slice(0, 32)}.bin`;
  }

  async read(site: ImapSite, mailbox: string): Promise<string | undefined> {
    const sealed = await (await this.blobs()).get(this.container, BlobTokenCacheStore.blobName(site, mailbox));
    return sealed === undefined ? undefined : this.cipher.open(site, mailbox, sealed);
  }

  async write(site: ImapSite, mailbox: string, cache: string): Promise<void> {
    const sealed = await this.cipher.seal(site, mailbox, cache);
    await (await this.blobs()).put(this.container, BlobTokenCacheStore.blobName(site, mailbox), sealed, 'application/octet-stream');
  }
}
