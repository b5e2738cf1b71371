import type { DateWindow } from '../../contracts/mailbox-controls.js';
import { inWindow, isOpenWindow, windowContains } from '../controls/date-window.js';
import type { FolderCheckpoint } from './folder-checkpoint.js';

/**
 * Which dates a folder's passes have copied, band by band of source UIDs. The ledger's high-water
 * mark (lastUid) alone would say "every UID up to here is done"; under a date window it is done
 * only for the dates of that window. A later pass with a wider window must copy exactly the rest
 * below lastUid, so each band of UIDs keeps the windows it was copied under:
 * band i covers the UIDs after band i-1's toUid up to its own toUid.
 * No bands (every ledger from before windows, and every pass without one) = every UID up to
 * lastUid copied for all dates.
 */
export interface CoverageBand {
  toUid: number;
  /** Union of the windows this band was copied under; `{}` = all dates. */
  windows: DateWindow[];
}

type Covered = Pick<FolderCheckpoint, 'lastUid' | 'coverage'>;

function bands(cp: Covered): CoverageBand[] {
  return cp.coverage ?? (cp.lastUid > 0 ? [{ toUid: cp.lastUid, windows: [{}] }] : []);
}

const holds = (windows: readonly DateWindow[], w: DateWindow): boolean => windows.some((x) => windowContains(x, w));

/** Whether the message (source UID, internal date) was copied, or settled, by an earlier range. */
export function isCovered(cp: Covered, uid: number, internalDate: string): boolean {
  if (uid > cp.lastUid) return false;
  let lo = 1;
  for (const b of bands(cp)) {
    if (uid >= lo && uid <= b.toUid) return b.windows.some((x) => inWindow(x, internalDate));
    lo = b.toUid + 1;
  }
  // Past the last band but within lastUid: settled as the ledger says (never copied twice).
  return true;
}

/**
 * The UID to plan from for window `w`: the end of the bands that hold all of `w`, counted from
 * UID 1. lastUid when every band does: the pass copies only what is new.
 */
export function plannedAfter(cp: Covered, w: DateWindow): number {
  let lo = 1;
  for (const b of bands(cp)) {
    if (!holds(b.windows, w)) return lo - 1;
    lo = b.toUid + 1;
  }
  return cp.lastUid;
}

/** Every UID up to lastUid was copied for all of `w`: nothing below lastUid is left to copy. */
export function coverageHolds(cp: Covered, w: DateWindow): boolean {
  return plannedAfter(cp, w) >= cp.lastUid;
}

function union(windows: readonly DateWindow[], w: DateWindow): DateWindow[] {
  if (isOpenWindow(w)) return [{}];
  if (holds(windows, w)) return [...windows];
  return [...windows.filter((x) => !windowContains(w, x)), { ...w }];
}

const key = (windows: readonly DateWindow[]): string => JSON.stringify(windows.map((w) => [w.since ?? '', w.before ?? '']).sort());

/**
 * Records that UIDs `from`..`to` are settled for window `w` (call before lastUid moves past `to`).
 * Bands are split where the range begins and ends and merged where neighbours agree; when every
 * band covers all dates the bands are dropped (the ledger reads as before windows existed).
 */
export function recordCoverage(cp: FolderCheckpoint, from: number, to: number, w: DateWindow): void {
  if (to < from) return;
  if (!cp.coverage && isOpenWindow(w) && from <= cp.lastUid + 1) return; // all dates, contiguous: lastUid says it all
  const segments: { lo: number; hi: number; windows: DateWindow[] }[] = [];
  let lo = 1;
  for (const b of bands(cp)) {
    if (b.toUid >= lo) segments.push({ lo, hi: b.toUid, windows: b.windows });
    lo = b.toUid + 1;
  }
  if (lo <= to) segments.push({ lo, hi: to, windows: [] });
  const out: { hi: number; windows: DateWindow[] }[] = [];
  const push = (hi: number, windows: DateWindow[]): void => {
    const last = out[out.length - 1];
    if (last && key(last.windows) === key(windows)) last.hi = hi;
    else out.push({ hi, windows });
  };
  for (const s of segments) {
    if (s.lo < from) push(Math.min(s.hi, from - 1), s.windows);
    const a = Math.max(s.lo, from);
    const b = Math.min(s.hi, to);
    if (a <= b) push(b, union(s.windows, w));
    if (s.hi > to && Math.max(s.lo, to + 1) <= s.hi) push(s.hi, s.windows);
  }
  if (out.every((b) => key(b.windows) === key([{}]))) delete cp.coverage;
  else cp.coverage = out.map((b) => ({ toUid: b.hi, windows: b.windows }));
}
