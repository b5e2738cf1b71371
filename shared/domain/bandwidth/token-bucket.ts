/**
 * A token bucket over bytes: `bytesPerSecond` refill, at most `burstBytes` saved up. A taker
 * reserves its bytes at once and is told how long to wait before sending them; the bucket may go
 * into debt, so a message larger than the burst passes after its own time instead of never, and
 * takers that arrive meanwhile queue behind the debt. Pure: the clock is injected.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly bytesPerSecond: number,
    readonly burstBytes: number,
    private readonly now: () => number,
  ) {
    if (!(bytesPerSecond > 0) || !(burstBytes > 0)) throw new RangeError('TokenBucket: bytesPerSecond and burstBytes must be positive');
    this.tokens = burstBytes;
    this.last = now();
  }

  /** Takes `bytes`; the milliseconds to wait before they may go (0: now). */
  reserve(bytes: number): number {
    const t = this.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
    this.last = t;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }
}

/** A quarter of a second's worth, at least 16 KiB: smooth over a second, not one message per tick. */
export function defaultBurst(bytesPerSecond: number): number {
  return Math.max(16 * 1024, Math.floor(bytesPerSecond / 4));
}
