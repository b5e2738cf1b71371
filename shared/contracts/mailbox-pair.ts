import type { FolderRef } from './engine-types.js';
import type { MailboxControls } from './mailbox-controls.js';

/**
 * One mailbox pair: the addresses as given (shown in reports and messages) and the key that
 * identifies the pair wherever state is kept. Addresses compare case-insensitively (RFC 5321
 * leaves the local part's case to the server; Exchange and every store we use ignore it), so the
 * key is built from lower-cased addresses, in exactly one way: the ledger's file names and Table
 * partition keys depend on it, and existing ledgers must keep matching.
 */
export interface MailboxPair {
  sourceEmail: string;
  destinationEmail: string;
  /** `source->destination`, both lower-cased: the ledger's mailbox key. */
  key: string;
  /** The row's own controls (CSV columns), over the batch's settings (effectiveControls). */
  controls?: MailboxControls;
}

/** An address as compared and keyed: lower-cased. */
export function addressKey(address: string): string {
  return address.toLowerCase();
}

/**
 * The pair of a CSV row (or any two addresses). Built where a row is taken up, never stored in
 * orchestration inputs or pages: those carry the row's two addresses and stay small.
 */
export function mailboxPair(addresses: { sourceEmail: string; destinationEmail: string; controls?: MailboxControls }): MailboxPair {
  return { sourceEmail: addresses.sourceEmail, destinationEmail: addresses.destinationEmail, key: `${addressKey(addresses.sourceEmail)}->${addressKey(addresses.destinationEmail)}`, ...(addresses.controls ? { controls: addresses.controls } : {}) };
}

/** One folder of a pair, as every engine call and folder orchestration names it: the pair's key is the ledger's mailbox. */
export function folderRef(pair: MailboxPair, folder: { sourcePath: string; destinationPath: string; archivedOnly?: true }): FolderRef {
  return {
    mailbox: pair.key,
    sourceEmail: pair.sourceEmail,
    destinationEmail: pair.destinationEmail,
    sourcePath: folder.sourcePath,
    destinationPath: folder.destinationPath,
    ...(folder.archivedOnly ? { archivedOnly: true as const } : {}),
    ...(pair.controls ? { controls: pair.controls } : {}),
  };
}
