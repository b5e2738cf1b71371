import { defaultBurst, TokenBucket } from '../domain/bandwidth/token-bucket.js';

/** Per-mailbox buckets kept at once; an idle one dropped refills to full anyway. */
const MAILBOX_BUCKETS_KEPT = 1000;

/**
 * The process's bandwidth caps over message bytes read from the source: one bucket for the whole
 * batch (MAX_BYTES_PER_SECOND_PER_BATCH) and one per mailbox pair (MAX_BYTES_PER_SECOND_PER_MAILBOX
 * or the row's MaxBytesPerSecond), shared by every connection of that mailbox in this process.
 * The CLI runs one batch in one process: both caps hold exactly. A Functions instance holds its
 * own buckets: each instance keeps to the caps, so N instances working on one batch or mailbox
 * move at most N times them (see the README).
 */
export class Bandwidth {
  private readonly batch?: TokenBucket;
  private readonly mailboxes = new Map<string, TokenBucket>();

  constructor(
    batchBytesPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (batchBytesPerSecond > 0) this.batch = new TokenBucket(batchBytesPerSecond, defaultBurst(batchBytesPerSecond), now);
  }

  /** Waits until `bytes` of this mailbox may be moved under both caps (`mailboxBytesPerSecond` 0 or undefined: no mailbox cap). */
  async consume(mailbox: string, mailboxBytesPerSecond: number | undefined, bytes: number): Promise<void> {
    let wait = this.batch?.reserve(bytes) ?? 0;
    if (mailboxBytesPerSecond && mailboxBytesPerSecond > 0) wait = Math.max(wait, this.bucket(mailbox, mailboxBytesPerSecond).reserve(bytes));
    if (wait > 0) await this.sleep(wait);
  }

  private bucket(mailbox: string, rate: number): TokenBucket {
    let b = this.mailboxes.get(mailbox);
    if (!b || b.bytesPerSecond !== rate) {
      if (this.mailboxes.size >= MAILBOX_BUCKETS_KEPT) this.mailboxes.clear();
      b = new TokenBucket(rate, defaultBurst(rate), this.now);
      this.mailboxes.set(mailbox, b);
    }
    return b;
  }
}
