import type { FolderRef } from '../../contracts/engine-types.js';
import type { UidRange } from '../../domain/ranges/range-planner.js';
import type { RangeLanes } from './range-lanes.js';

/** One bounded UID range of one folder: what copyRange copies. */
export interface CopyRangeInput extends FolderRef {
  range: UidRange;
}

/** What a range's caller in the same process gives it: what it is told as it goes, and workers it may borrow. */
export interface RangeContext {
  /** Every body the range copies has arrived from the source: only its APPENDs and records remain. Not told when the range stops early (budget, failure). */
  sourceRead?: () => void;
  /** The mailbox's idle folder workers: the range is copied over as many more connection pairs as it can fill (range-lanes.ts). */
  lanes?: RangeLanes;
}
