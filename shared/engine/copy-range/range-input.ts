import type { FolderRef } from '../../contracts/engine-types.js';
import type { UidRange } from '../../domain/ranges/range-planner.js';
import type { RangeLanes } from './range-lanes.js';
import type { FolderStatus } from '../../contracts/imap.js';

/** One bounded UID range of one folder: what copyRange copies. */
export interface CopyRangeInput extends FolderRef {
  range: UidRange;
}

/** What a range's caller in the same process gives it: what it is told as it goes, and workers it may borrow. */
export interface RangeContext {
  /** Every body the range copies has arrived from the source (its last FETCH answered): only its APPENDs and records remain. Not told when the range stops early (budget, failure). */
  sourceRead?: () => void;
  /**
   * Frees the folder's worker (far servers). A small range (hand-over.ts) calls it with sourceRead,
   * once its APPEND connections are in hand: the worker goes on to the next folder, whose range
   * waits for the APPEND connections this one gives back (said to come back soon) rather than log
   * in others. A larger range leaves it to the folder, once its APPENDs are answered.
   */
  freeWorker?: () => void;
  /** The mailbox's idle folder workers: the range is copied over as many more connection pairs as it can fill (range-lanes.ts). */
  lanes?: RangeLanes;
  /**
   * The folder's last range: told the destination folder's STATUS, asked on its APPEND connection
   * once its last APPEND was answered and found to count every message it stored (the folder's
   * pass then ends without a STATUS of its own). Not told when that cannot be known (lanes, no
   * APPEND pipeline, a message stored without its UID).
   */
  closingStatus?: (status: FolderStatus) => void;
}
