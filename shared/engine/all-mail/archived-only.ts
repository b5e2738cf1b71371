import type { MessageMeta } from '../../contracts/imap.js';
import type { SourceReader } from '../../contracts/imap-ports.js';
import { isSelectable, virtualRole } from '../../domain/folders/special-use.js';
import { compactUidSet } from '../../domain/ranges/uid-set.js';
import { headerHash, IDENTITY_HEADERS, type HeaderWordDecoder } from '../fingerprint.js';

// Which messages of the source's `\All` folder (Gmail's All Mail) are filed nowhere else: on
// Gmail, archived mail without a label, which no other folder holds.
// - With X-GM-EXT-1 (Gmail), from the message's own labels: none but `\Important` and `\Starred`
//   (which only put it in views) means archived-only. One FETCH per page of All Mail.
// - Without it, from fingerprints: a message of All Mail whose identifying headers and size match
//   a message of any other selectable, non-view folder is the same message filed there (Gmail,
//   and servers with a virtual \All folder, show one stored message in every folder it is in,
//   byte for byte), and is copied from there. Views (`\Flagged`, `\Important`) do not count: a
//   starred archived message is still archived-only. Costs a header FETCH of every other folder
//   per planning page (about a tenth of a kilobyte per message).

/** What the archived-only test reads of the source. */
export type ArchiveReader = Pick<SourceReader, 'listFolders' | 'select' | 'fetchHeaders' | 'gmailLabels'>;

/** Messages per header FETCH while fingerprinting a folder. */
const PAGE = 2000;

/** Gmail labels that put a message in a view only, not in a folder that is copied. */
const VIEW_LABELS = new Set(['\\important', '\\starred']);

/** By its X-GM-LABELS: a message with no label but the views' is in no copied folder. */
export function archivedByLabels(labels: readonly string[]): boolean {
  return labels.every((l) => VIEW_LABELS.has(l.toLowerCase()));
}

/**
 * A filter for the pages of All Mail (which must be the folder selected when it is called):
 * of the rows given, the UIDs filed nowhere else. The fingerprints of the other folders are read
 * once, at the first page, and only where the server has no X-GM-EXT-1.
 */
export function archivedOnlyFilter(reader: ArchiveReader, allMailPath: string, decodeWords: HeaderWordDecoder): (rows: readonly Pick<MessageMeta, 'uid'>[]) => Promise<Set<number>> {
  let filed: Set<string> | undefined;
  return async (rows) => {
    if (rows.length === 0) return new Set();
    const uids = compactUidSet(rows.map((r) => r.uid));
    const labels = await reader.gmailLabels?.(uids);
    if (labels) return new Set([...labels].filter(([, l]) => archivedByLabels(l)).map(([uid]) => uid));
    if (filed === undefined) {
      filed = await filedIdentities(reader, allMailPath, decodeWords);
      await reader.select(allMailPath, true);
    }
    const headers = await reader.fetchHeaders(uids, IDENTITY_HEADERS, true);
    const known = filed;
    return new Set(headers.filter((h) => !known.has(messageIdentity(h, decodeWords))).map((h) => h.uid));
  };
}

/**
 * The identities of every message filed in a folder other than `allMailPath` and the views: one
 * header FETCH per PAGE messages of each folder, 128-bit hashes kept in memory (about 60 bytes
 * per message). Leaves another folder selected.
 */
export async function filedIdentities(reader: ArchiveReader, allMailPath: string, decodeWords: HeaderWordDecoder): Promise<Set<string>> {
  const folders = (await reader.listFolders()).filter((f) => f.path !== allMailPath && isSelectable(f) && virtualRole(f) === undefined);
  const out = new Set<string>();
  for (const folder of folders) {
    const sel = await reader.select(folder.path, true);
    for (let seq = 1; seq <= sel.messages; seq += PAGE) {
      const rows = await reader.fetchHeaders(`${seq}:${Math.min(sel.messages, seq + PAGE - 1)}`, IDENTITY_HEADERS);
      for (const r of rows) out.add(messageIdentity(r, decodeWords));
    }
  }
  return out;
}

/** A message as the archived-only test knows it: its identifying headers' hash (128 bits) and its size. */
export function messageIdentity(row: { headers: Buffer; size: number }, decodeWords: HeaderWordDecoder): string {
  return `${headerHash(row.headers, decodeWords).slice(0, 32)}:${row.size}`;
}
