import type { FolderRepair, MessageIssue } from '../../contracts/report.js';
import type { DestinationRecord } from './destination-repair.js';
import type { CoverageBand } from './window-coverage.js';

/**
 * What we know about one source folder of one mailbox pair, kept between ranges and passes.
 * UIDs are valid only with their UIDVALIDITY (RFC 3501 §2.3.1.1): when it changes, the
 * folder's UIDs mean nothing any more and the checkpoint is re-planned.
 */
export interface FolderCheckpoint {
  sourcePath: string;
  destinationPath: string;
  /** Source UIDVALIDITY as a decimal string (it is a 32-bit value; kept as text to survive JSON). */
  uidValidity: string;
  /** Every source UID <= lastUid has been copied, skipped or reported failed. */
  lastUid: number;
  copied: number;
  copiedBytes: number;
  /** Found already at the destination when a range was retried (not copied twice). */
  alreadyPresent: number;
  skipped: MessageIssue[];
  failed: MessageIssue[];
  skippedCount: number;
  failedCount: number;
  droppedKeywords: number;
  /** Expunged at the source between a range's metadata and body FETCH: not copied, not failed (absent in older ledgers). */
  vanished?: number;
  /**
   * Set while a range is being copied: messages appended to the destination from
   * destUidNext on may already hold part of this range, so a retry compares against them.
   */
  inFlight?: { fromUid: number; toUid: number; destUidValidity: string; destUidNext: number };
  /** Set after a UIDVALIDITY change: every range is compared with destination UIDs from here on. */
  dedupeFromDestUid?: number;
  /**
   * Set when a pass began without a checkpoint while the destination folder already held
   * messages (a lost ledger, another STATE_DIR): its ranges are compared, as a multiset, with the
   * destination messages below `belowUid` — those present when the pass began, not its own appends.
   */
  reconcile?: { destUidValidity: string; belowUid: number };
  /**
   * The destination folder as the last completed pass left it. A later pass that finds it gone,
   * with another UIDVALIDITY or fewer messages repairs the folder (destinationRepair).
   */
  destination?: DestinationRecord;
  /** Set while a pass repairs the destination folder: reported, and cleared, when it finishes. */
  repair?: FolderRepair;
  /**
   * Set once a pass copied under a date window: which dates each band of UIDs up to lastUid was
   * copied for (window-coverage.ts). Absent: every UID up to lastUid, all dates.
   */
  coverage?: CoverageBand[];
  /** Source STATUS seen at the end of the last pass: unchanged means nothing new. */
  lastStatus?: { messages: number; uidNext: number; uidValidity: string };
  updatedAt: string;
}

export type { MessageIssue };

/** Lists of issues are capped so a pathological folder cannot grow a checkpoint without bound; counts stay exact. */
export const MAX_ISSUES_KEPT = 200;

export function emptyCheckpoint(sourcePath: string, destinationPath: string, uidValidity: string, now: string): FolderCheckpoint {
  return { sourcePath, destinationPath, uidValidity, lastUid: 0, copied: 0, copiedBytes: 0, alreadyPresent: 0, skipped: [], failed: [], skippedCount: 0, failedCount: 0, droppedKeywords: 0, updatedAt: now };
}

export function addIssue(list: MessageIssue[], issue: MessageIssue): void {
  if (list.length < MAX_ISSUES_KEPT) list.push(issue);
}

/**
 * A checkpoint that may be older than the destination (a record of its ledger was lost): its next
 * pass compares every range with the whole destination folder, and is not skipped as unchanged.
 * What it counts as done (lastUid) still is: records only ever move forward.
 */
export function markForReconcile(cp: FolderCheckpoint): void {
  cp.dedupeFromDestUid = 1;
  // An unknown destination state: no bound, every destination message is compared.
  cp.reconcile = { destUidValidity: '', belowUid: Number.MAX_SAFE_INTEGER };
  delete cp.lastStatus;
}
