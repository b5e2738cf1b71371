import type { WorkerLimit } from './worker-slots.js';
import type { RangeLanes } from './copy-range/range-lanes.js';

/**
 * A mailbox's folder workers with no folder left to copy, lent to its running ranges as lanes:
 * once every folder with anything to copy has a worker, a big folder's ranges go over the
 * connection pairs the small ones leave behind instead of finishing alone on one
 * (range-lanes.ts). Folders with nothing to copy (empty, unchanged) end at once on no connection
 * of their own: they neither hold a worker back nor keep one busy here. Lent workers count as busy
 * until given back.
 */
export class IdleWorkers implements RangeLanes {
  private waiting: number;
  private copying = 0;
  private lentOut = 0;

  /** `toCopy`: the mailbox's folders with anything to copy, all queued on `folders`. */
  constructor(
    private readonly folders: Pick<WorkerLimit, 'concurrency'>,
    toCopy: number,
  ) {
    this.waiting = toCopy;
  }

  /** Workers lent to ranges now. */
  get lent(): number {
    return this.lentOut;
  }

  /** A folder with anything to copy has started on a worker; the function returned says it ended (once). */
  started(): () => void {
    this.waiting -= 1;
    this.copying += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.copying -= 1;
    };
  }

  borrow(max: number): number {
    if (max <= 0 || this.waiting > 0) return 0;
    const n = Math.max(0, Math.min(max, this.folders.concurrency - this.copying - this.lentOut));
    this.lentOut += n;
    return n;
  }

  giveBack(n: number): void {
    this.lentOut = Math.max(0, this.lentOut - n);
  }
}
