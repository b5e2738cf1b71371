/** A bounded slice of a folder's UIDs: what one copy call handles. Gaps in UIDs are covered. */
import type { UidRange } from '../../contracts/engine-types.js';

export type { UidRange };

export interface RangeLimits {
  maxMessages: number;
  maxBytes: number;
  /** Messages larger than this are skipped, so they weigh nothing in a range. */
  maxMessageBytes: number;
}

/**
 * Cuts a stream of (uid, size) rows, in UID order, into ranges bounded by count and bytes,
 * without holding the folder in memory: rows arrive page by page and only the ranges are kept.
 * A single message larger than maxBytes gets a range of its own.
 */
export class RangePlanner {
  private readonly done: UidRange[] = [];
  private open?: UidRange;
  private nextFrom: number;

  constructor(
    private readonly limits: RangeLimits,
    afterUid: number,
  ) {
    this.nextFrom = afterUid + 1;
  }

  add(uid: number, size: number): void {
    if (uid < this.nextFrom && !this.open) return; // already covered
    const weight = size > this.limits.maxMessageBytes ? 0 : size;
    const o = this.open;
    if (o && (o.count + 1 > this.limits.maxMessages || (o.bytes + weight > this.limits.maxBytes && o.count > 0))) this.close();
    if (!this.open) this.open = { fromUid: this.nextFrom, toUid: uid, count: 0, bytes: 0 };
    const r = this.open;
    r.toUid = uid;
    r.count += 1;
    r.bytes += weight;
  }

  private close(): void {
    if (!this.open) return;
    this.done.push(this.open);
    this.nextFrom = this.open.toUid + 1;
    this.open = undefined;
  }

  /** Ranges completed so far (the open one is not included until finish()). */
  get completed(): readonly UidRange[] {
    return this.done;
  }

  finish(): UidRange[] {
    this.close();
    return this.done;
  }
}

/** Plans a whole list at once (small folders, tests). */
export function planRanges(rows: readonly { uid: number; size: number }[], limits: RangeLimits, afterUid = 0): UidRange[] {
  const p = new RangePlanner(limits, afterUid);
  for (const r of rows) p.add(r.uid, r.size);
  return p.finish();
}
