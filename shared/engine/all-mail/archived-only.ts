import type { MessageMeta } from '../../contracts/imap.js';
import type { SourceReader } from '../../contracts/imap-ports.js';
import { isSelectable, virtualRole } from '../../domain/folders/special-use.js';
import { compactUidSet } from '../../domain/ranges/uid-set.js';
import { headerHash, IDENTITY_HEADERS, type HeaderWordDecoder } from '../fingerprint.js';

// Which messages of the source's `\All` folder (Gmail's All Mail) are filed nowhere else: on
// Gmail, archived mail without a label, which no other folder holds. Without Gmail's own labels
// (X-GM-EXT-1) the answer comes from fingerprints: a message of All Mail whose identifying
// headers and size match a message of any other selectable, non-view folder is the same message
// filed there (Gmail shows one stored message in every folder of its labels, byte for byte), and
// is copied from there. Views (`\Flagged`, `\Important`) do not count: a starred archived
// message is still archived-only.

/** Messages per header FETCH while fingerprinting a folder. */
const PAGE = 2000;

/**
 * The identities of every message filed in a folder other than `allMailPath` and the views: one
 * header FETCH per PAGE messages of each folder (about a tenth of a kilobyte per message),
 * 128-bit hashes kept in memory (about 60 bytes per message).
 */
export async function filedIdentities(reader: SourceReader, allMailPath: string, decodeWords: HeaderWordDecoder): Promise<Set<string>> {
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

/** Of `rows` (messages of the All Mail folder, which must be the one selected), the UIDs filed nowhere else. */
export async function archivedOnlyUids(reader: SourceReader, rows: readonly Pick<MessageMeta, 'uid'>[], filed: ReadonlySet<string>, decodeWords: HeaderWordDecoder): Promise<Set<number>> {
  if (rows.length === 0) return new Set();
  const headers = await reader.fetchHeaders(compactUidSet(rows.map((r) => r.uid)), IDENTITY_HEADERS, true);
  return new Set(headers.filter((h) => !filed.has(messageIdentity(h, decodeWords))).map((h) => h.uid));
}

/** A message as the archived-only test knows it: its identifying headers' hash (128 bits) and its size. */
export function messageIdentity(row: { headers: Buffer; size: number }, decodeWords: HeaderWordDecoder): string {
  return `${headerHash(row.headers, decodeWords).slice(0, 32)}:${row.size}`;
}
