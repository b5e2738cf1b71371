import { RangePlanner, type RangeLimits, type UidRange } from '../domain/ranges/range-planner.js';
import type { FolderPlanPage } from '../contracts/engine-types.js';
import type { SourceFolders } from '../contracts/imap-ports.js';
import type { FolderStatus, MessageMeta, SelectedFolder } from '../contracts/imap.js';
import { compactUidSet } from '../domain/ranges/uid-set.js';

export type { FolderPlanPage };

/** Metadata is read in pages of this many messages: a 1,000,000-message folder never comes back in one response. */
const META_PAGE = 2000;

/** First sequence number whose UID is above `afterUid` (binary search: ~20 tiny FETCHes for a million messages). */
async function firstSeqAfter(src: SourceFolders, exists: number, afterUid: number): Promise<number> {
  if (afterUid <= 0) return 1;
  let lo = 1;
  let hi = exists + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const [m] = await src.fetchMeta(String(mid), true);
    if (!m || m.uid > afterUid) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A page of the plan; `rows`: the metadata it was planned from, when one FETCH gave all of it (planFolderPage's quick look). */
export type PlannedPage = FolderPlanPage & { rows?: readonly MessageMeta[] };

/** Of a page of the folder's messages (the folder selected), the UIDs to copy; the others are left out of the plan. */
export type KeepMessages = (rows: readonly MessageMeta[]) => Promise<ReadonlySet<number>>;

/**
 * Plans up to `maxRanges` bounded ranges of a source folder after `afterUid`. Callers loop
 * (afterUid = last range's toUid) until `complete`, so neither memory nor an orchestration's
 * input ever holds a whole large folder's plan. `wanted` leaves messages out of the ranges (a date
 * window, what earlier ranges covered); a range still spans the UIDs between its messages. With
 * `keep`, only the messages it keeps are planned, and each range names them (UidRange.uids).
 */
export async function planFolderPage(src: SourceFolders, path: string, afterUid: number, limits: RangeLimits, maxRanges: number, wanted: (m: MessageMeta) => boolean = () => true, keep?: KeepMessages, expect?: FolderStatus): Promise<PlannedPage> {
  const quick = await quickLook(src, path, afterUid, expect);
  const sel = quick?.folder ?? (await src.select(path, true));
  const base = { uidValidity: sel.uidValidity, uidNext: sel.uidNext, messages: sel.messages };
  if (sel.messages === 0 || afterUid >= sel.uidNext - 1) return { ...base, ranges: [], complete: true };
  const planner = new RangePlanner(limits, afterUid);
  const kept: number[] = [];
  const named = (ranges: readonly UidRange[]): UidRange[] => (keep ? ranges.map((r) => ({ ...r, uids: compactUidSet(kept.filter((u) => u >= r.fromUid && u <= r.toUid)) })) : [...ranges]);
  /** Adds one page of rows to the plan; true once the page of ranges is full. */
  const add = async (rows: readonly MessageMeta[]): Promise<boolean> => {
    const fetched = rows.filter((r) => r.uid > afterUid && wanted(r)).sort((a, b) => a.uid - b.uid);
    const keptPage = keep ? await keep(fetched) : undefined;
    for (const r of fetched) {
      if (keptPage && !keptPage.has(r.uid)) continue;
      planner.add(r.uid, r.size);
      if (keptPage) kept.push(r.uid);
      if (planner.completed.length >= maxRanges) return true;
    }
    return false;
  };
  const full = (): FolderPlanPage => ({ ...base, ranges: named(planner.completed.slice(0, maxRanges)), complete: false });
  if (quick?.rows) {
    // The rows go along to the copy in the same process (never into an activity's output): its
    // ranges need no metadata FETCH of their own.
    const rows = quick.rows;
    return (await add(rows)) ? { ...full(), rows } : { ...base, ranges: named(planner.finish()), complete: true, rows };
  }
  let seq = await firstSeqAfter(src, sel.messages, afterUid);
  while (seq <= sel.messages) {
    const end = Math.min(sel.messages, seq + META_PAGE - 1);
    if (await add(await src.fetchMeta(`${seq}:${end}`, true))) return full();
    seq = end + 1;
  }
  return { ...base, ranges: named(planner.finish()), complete: true };
}

/**
 * A folder whose STATUS (taken by this pass) leaves at most a page of messages after `afterUid`:
 * EXAMINE and `UID FETCH afterUid+1:*` in one round trip, where the connection can, instead of
 * EXAMINE, then a search for the first sequence number (a delta: ~log2(messages) round trips),
 * then the FETCH. Mail that arrived since the STATUS comes along (a few more rows, or the next
 * pass's). No rows (the FETCH refused): the paged way.
 */
async function quickLook(src: SourceFolders, path: string, afterUid: number, expect: FolderStatus | undefined): Promise<{ folder: SelectedFolder; rows?: MessageMeta[] } | undefined> {
  if (!expect || !src.examineWithMeta) return undefined;
  const after = Math.min(expect.messages, expect.uidNext - 1 - afterUid);
  if (after <= 0 || after > META_PAGE) return undefined;
  return src.examineWithMeta(path, `${afterUid + 1}:*`);
}
