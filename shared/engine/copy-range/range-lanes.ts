import type { MessageMeta } from '../../contracts/imap.js';

/**
 * The mailbox's idle folder workers, lent to one range: the range's messages are then read and
 * appended over as many connection pairs at once (lanes). Each lent worker is a source and a
 * destination connection of the mailbox, as a folder worker is, so the mailbox holds no more
 * connections than its workers. Lent only on a far server (a lane hides round trips and TCP's
 * slow start; on a near one it only costs CPU).
 */
export interface RangeLanes {
  /** Up to `max` idle workers, now lent to the caller (0 when none is idle or a folder waits for one). */
  borrow(max: number): number;
  /** Gives back `n` workers borrowed. */
  giveBack(n: number): void;
}

/** A lane is worth its connections from this many bytes on (a few round trips of one connection's window on a far server). */
export const LANE_MIN_BYTES = 4 * 1024 * 1024;

/** Most lanes of one range, whatever the workers idle. */
export const MAX_LANES = 8;

/** How many more lanes than the range's own `messages` can fill, each with at least LANE_MIN_BYTES and one message. */
export function extraLanesWanted(messages: readonly Pick<MessageMeta, 'size'>[]): number {
  const bytes = messages.reduce((n, m) => n + m.size, 0);
  return Math.max(0, Math.min(MAX_LANES, messages.length, Math.floor(bytes / LANE_MIN_BYTES)) - 1);
}

/**
 * `messages` (in UID order) cut into at most `lanes` consecutive runs of about equal bytes, none
 * empty. Consecutive, so that what the lanes have settled together is a prefix of UIDs up to
 * which the checkpoint can move (settledPrefix).
 */
export function splitLanes<M extends Pick<MessageMeta, 'size'>>(messages: readonly M[], lanes: number): M[][] {
  const n = Math.max(1, Math.min(lanes, messages.length));
  if (n === 1) return [messages.slice()];
  const total = messages.reduce((s, m) => s + m.size, 0);
  const out: M[][] = [];
  let cur: M[] = [];
  let upTo = 0;
  for (const [i, m] of messages.entries()) {
    cur.push(m);
    upTo += m.size;
    const left = messages.length - i - 1;
    const runsLeft = n - out.length - 1;
    // Cut once this run has its share of the bytes, leaving at least one message per run to come.
    if (runsLeft > 0 && left >= runsLeft && (upTo >= (total * (out.length + 1)) / n || left === runsLeft)) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** One lane's span of source UIDs and how far it has settled. */
export interface LaneSpan {
  /** The UID before the lane's first (the previous lane's last, or the range's start - 1). */
  before: number;
  /** The lane's last UID. */
  last: number;
  /** Every UID of the lane up to this one is settled (stored, found there, refused); `before` until it has a queue. */
  done(): number;
}

/**
 * The UID up to which every lane's messages are settled: the checkpoint's lastUid after an
 * interruption. A lane that settled everything lets the next one count; the first lane that has
 * not stops the prefix where it stands. Messages settled beyond it are in the UID map and the
 * retry window, so a retry finds them there rather than appending them twice.
 */
export function settledPrefix(spans: readonly LaneSpan[]): number {
  for (const s of spans) {
    const done = Math.max(s.before, s.done());
    if (done < s.last) return done;
  }
  return spans.length > 0 ? spans[spans.length - 1]!.last : 0;
}
