import type { SideSettings } from '../../config/settings.js';
import type { FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';
import type { UidMap } from '../../domain/checkpoints/checkpoint-store.js';
import type { DestinationWriter } from '../../contracts/imap-ports.js';
import { addressKey } from '../../contracts/mailbox-pair.js';
import { fingerprint, headerHash, IDENTITY_HEADERS, type HeaderWordDecoder, type IdentityKind } from '../fingerprint.js';
import type { FingerprintCache } from '../fingerprint-cache.js';
import { fetchBatches } from './fetch-batches.js';

/** UIDs per header FETCH of a retry window (header-hash identity). */
const HEADER_PAGE = 1000;

/** What reading a retry window needs of the destination folder's session (opened on that folder). */
export type WindowReader = Pick<DestinationWriter, 'fetchMeta' | 'fetchHeaders' | 'fetchSources'>;

/**
 * The first destination UID an earlier attempt at this range may have appended: the UIDNEXT the
 * checkpoint recorded before its first APPEND (UID 1 when the destination folder's UIDVALIDITY
 * changed since), or after a source UIDVALIDITY change the UID its dedupe starts from, whichever
 * is lower. Undefined: nothing can be there, no window to read.
 */
export function windowStart(cp: Pick<FolderCheckpoint, 'inFlight' | 'dedupeFromDestUid'>, destUidValidity: string): number | undefined {
  let start = cp.inFlight && cp.inFlight.destUidValidity === destUidValidity ? cp.inFlight.destUidNext : cp.inFlight ? 1 : undefined;
  if (cp.dedupeFromDestUid !== undefined) start = Math.min(start ?? Number.MAX_SAFE_INTEGER, cp.dedupeFromDestUid);
  return start;
}

/**
 * Destination UIDs of messages the checkpoint counts as done (source UID <= lastUid). Pairs past
 * lastUid are left in play: the map is written before the checkpoint, so after a crash between
 * the two those copies are exactly what the retry must recognise.
 *
 * `redoFrom`: the first source UID this attempt copies. A range below lastUid (a wider date
 * window copying the rest) is not done: the pairs of its UIDs from `redoFrom` on stay in play.
 * Those below it were settled by the interrupted attempt and are not copied again, so their
 * copies must not stand in for an identical twin further on (that twin would never be appended).
 */
export function attributedUids(map: UidMap | undefined, destUidValidity: string, lastUid: number, inFlight?: { fromUid: number; toUid: number }, redoFrom = inFlight?.fromUid ?? 0): Set<number> {
  const out = new Set<number>();
  const ownRange = (src: number): boolean => inFlight !== undefined && src >= Math.max(inFlight.fromUid, redoFrom) && src <= inFlight.toUid;
  if (map && map.destUidValidity === destUidValidity) for (const [src, dst] of map.pairs) if (src <= lastUid && !ownRange(src)) out.add(dst);
  return out;
}

/** The cache key of one destination folder's fingerprints: a UID names one message per server, mailbox, folder and UIDVALIDITY. */
export function fingerprintFolderKey(destination: Pick<SideSettings, 'host' | 'port'>, destinationEmail: string, destUidValidity: string, identity: IdentityKind, destinationPath: string): string {
  return `${destination.host}:${destination.port} ${addressKey(destinationEmail)} ${destUidValidity} ${identity} ${destinationPath}`;
}

/** Fingerprint -> destination UIDs (in UID order) of the messages from `fromUid` on (below `belowUid` if given), less `exclude`. */
export async function destinationFingerprints(dst: WindowReader, cache: FingerprintCache, folderKey: string, fromUid: number, identity: IdentityKind, decodeWords: HeaderWordDecoder, exclude: ReadonlySet<number>, belowUid = Number.MAX_SAFE_INTEGER): Promise<Map<string, number[]>> {
  const known = cache.folder(folderKey);
  // "N:*" returns the last message even when N is past it (RFC 3501 §6.4.8): filter by UID.
  const set = belowUid > fromUid && belowUid < Number.MAX_SAFE_INTEGER ? `${fromUid}:${belowUid - 1}` : `${fromUid}:*`;
  const metas = (await dst.fetchMeta(set)).filter((m) => m.uid >= fromUid && m.uid < belowUid && !exclude.has(m.uid)).sort((a, b) => a.uid - b.uid);
  const taken = new Map<number, string>();
  const take = (uid: number, fp: string): void => {
    taken.set(uid, fp);
    cache.add(folderKey, uid, fp);
  };
  const missing = metas.filter((m) => !known.has(m.uid));
  if (identity === 'header-hash') {
    // The identity is made of a few headers: a window of any size costs a fraction of its bytes.
    for (let i = 0; i < missing.length; i += HEADER_PAGE) {
      for (const r of await dst.fetchHeaders(missing.slice(i, i + HEADER_PAGE).map((m) => m.uid).join(','), IDENTITY_HEADERS, true)) take(r.uid, headerHash(r.headers, decodeWords));
    }
  } else {
    for (const batch of fetchBatches(missing)) {
      for await (const m of dst.fetchSources(batch.map((x) => x.uid).join(','))) take(m.uid, fingerprint(m.source, identity, decodeWords));
    }
  }
  const out = new Map<string, number[]>();
  for (const m of metas) {
    const fp = known.get(m.uid) ?? taken.get(m.uid);
    if (fp !== undefined) out.set(fp, [...(out.get(fp) ?? []), m.uid]);
  }
  return out;
}

/**
 * The window's copies as a multiset of fingerprints: each copy stands for one source message at
 * most, so of two identical source messages (twins) one copy found leaves the other to append.
 */
export class WindowCopies {
  constructor(
    private readonly byFingerprint: ReadonlyMap<string, number[]>,
    private readonly identity: IdentityKind,
    private readonly decodeWords: HeaderWordDecoder,
  ) {}

  /** The destination UID of a copy of this message not yet claimed, claimed now; undefined when there is none. */
  claim(source: Buffer): number | undefined {
    // No window (the usual case): no message is hashed.
    if (this.byFingerprint.size === 0) return undefined;
    return this.byFingerprint.get(fingerprint(source, this.identity, this.decodeWords))?.shift();
  }
}

export interface RetryWindowSources {
  identity: IdentityKind;
  decodeWords: HeaderWordDecoder;
  cache: FingerprintCache;
  folderKey: string;
  readUidMap(): Promise<UidMap | undefined>;
  /** Opened only when there is a window to read. */
  destination(): Promise<WindowReader>;
}

export interface RetryWindow {
  /** The window's first destination UID, undefined when there is no window. */
  start: number | undefined;
  copies: WindowCopies;
}

/**
 * A previous attempt may have appended part of this range: looks at what arrived since.
 * `redoFrom`: the first source UID this attempt copies (see attributedUids).
 */
export async function openRetryWindow(cp: Pick<FolderCheckpoint, 'inFlight' | 'dedupeFromDestUid' | 'lastUid' | 'reconcile'>, destUidValidity: string, from: RetryWindowSources, redoFrom?: number): Promise<RetryWindow> {
  const start = windowStart(cp, destUidValidity);
  if (start === undefined) return { start, copies: new WindowCopies(new Map(), from.identity, from.decodeWords) };
  // Copies of messages the checkpoint already counts as done are not in play: they must not
  // stand in for an identical twin still to be copied. A pass after a source UIDVALIDITY change
  // and a reconciling pass voided the map when they began (beginFolderPass), so the pairs in it
  // are their own, under the new UIDs: a twin matched in one range, or settled before an
  // interruption, does not stand in for another later.
  const attributed = attributedUids(await from.readUidMap(), destUidValidity, cp.lastUid, cp.inFlight, redoFrom);
  // A reconciling pass compares with what the destination held when it began, not with its own
  // appends (after a crash, the window of the range in flight counts: everything is compared).
  const below = !cp.inFlight && cp.reconcile?.destUidValidity === destUidValidity ? cp.reconcile.belowUid : undefined;
  const present = await destinationFingerprints(await from.destination(), from.cache, from.folderKey, start, from.identity, from.decodeWords, attributed, below);
  return { start, copies: new WindowCopies(present, from.identity, from.decodeWords) };
}
