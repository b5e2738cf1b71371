/**
 * A mailbox's byte budget per window (Google allows about 2,500 MB a day down per user): the
 * message bytes read from the source in the current window, kept in the mailbox's ledger so a
 * restarted process or a second pass the same day does not get a fresh budget.
 */
export interface BudgetWindow {
  /** ISO 8601: when the window's first byte was spent; the next window starts windowMs later. */
  startedAt: string;
  /** Source bytes granted in this window. */
  bytes: number;
}

export interface BudgetLimits {
  /** Bytes one mailbox may read from the source per window; 0 = no budget. */
  bytesPerWindow: number;
  windowMs: number;
}

export interface BudgetGrant {
  /** How many of the asked messages (a prefix, in order) may be fetched now. */
  take: number;
  /** The window after the grant, to record; unchanged (possibly undefined) when nothing was taken. */
  window: BudgetWindow | undefined;
  /** When the messages not granted may be asked for again (the current window's end). */
  resumesAt?: string;
}

/** When the window `w` ends and the next one may start. */
export function windowEnd(w: BudgetWindow, limits: BudgetLimits): number {
  return Date.parse(w.startedAt) + limits.windowMs;
}

/**
 * Grants the longest prefix of `sizes` that fits in what is left of the window: a pass stops
 * before the message that would exceed the budget, never in the middle of one. A window that has
 * ended is replaced by a new one starting now — only once a byte of it is spent.
 */
export function grantBytes(current: BudgetWindow | undefined, sizes: readonly number[], limits: BudgetLimits, nowMs: number): BudgetGrant {
  if (limits.bytesPerWindow <= 0) return { take: sizes.length, window: current };
  const open = current !== undefined && nowMs < windowEnd(current, limits);
  const spent = open ? current.bytes : 0;
  let take = 0;
  let bytes = spent;
  for (const size of sizes) {
    if (bytes + size > limits.bytesPerWindow) break;
    bytes += size;
    take += 1;
  }
  // A message larger than the whole budget would otherwise never be copied: it goes alone, first
  // in a window of its own, and that window is then spent.
  if (take === 0 && spent === 0 && sizes.length > 0) {
    take = 1;
    bytes = sizes[0]!;
  }
  const window = take === 0 ? current : open ? { startedAt: current.startedAt, bytes } : { startedAt: new Date(nowMs).toISOString(), bytes };
  if (take === sizes.length) return { take, window };
  return { take, window, resumesAt: new Date(windowEnd(window!, limits)).toISOString() };
}
