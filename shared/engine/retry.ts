import { MAX_THROTTLE_WAITS, RETRY_POLICY } from '../contracts/retry-policy.js';
import { MigrationError } from '../errors/migration-error.js';
import { classify } from '../errors/classify.js';

export interface RetryOptions {
  /** First transient back-off; the policy doubles it each time. */
  baseDelayMs: number;
  maxAttempts?: number;
  /** Shared per mailbox: a throttling answer pauses every worker of that mailbox, not one connection. */
  gate?: ThrottleGate;
  onRetry?: (err: MigrationError, attempt: number, waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Exchange's "Suggested Backoff Time" applies to the mailbox: every worker on it waits it out. */
export class ThrottleGate {
  private until = 0;
  constructor(private readonly sleep: (ms: number) => Promise<void> = realSleep) {}
  pause(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
  }
  async wait(): Promise<void> {
    while (Date.now() < this.until) await this.sleep(this.until - Date.now());
  }
}

/**
 * The CLI's retry loop (the Durable driver uses RetryOptions and durable timers instead):
 * transient errors back off exponentially, throttling waits the server's suggested time,
 * permanent errors are thrown at once.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? realSleep;
  const maxAttempts = opts.maxAttempts ?? RETRY_POLICY.maxAttempts;
  let transient = 0;
  let throttled = 0;
  for (;;) {
    await opts.gate?.wait();
    try {
      return await fn();
    } catch (e) {
      const err = classify(e, 'engine');
      if (err.errorClass === 'permanent') throw err;
      let wait: number;
      if (err.errorClass === 'throttled') {
        throttled += 1;
        if (throttled > MAX_THROTTLE_WAITS) throw err;
        wait = err.retryAfterMs ?? 30_000;
        opts.gate?.pause(wait);
      } else {
        transient += 1;
        if (transient >= maxAttempts) throw err;
        wait = Math.min(RETRY_POLICY.maxRetryIntervalMs, opts.baseDelayMs * RETRY_POLICY.backoffCoefficient ** (transient - 1));
      }
      opts.onRetry?.(err, transient + throttled, wait);
      if (!opts.gate || err.errorClass !== 'throttled') await sleep(wait);
    }
  }
}

/** Runs one engine call the way the driver wants it tried (the CLI retries in-process; the Durable driver retries from the orchestrator). */
export type Attempt = <T>(fn: () => Promise<T>) => Promise<T>;

/** Tried once: a failure goes to the caller. */
export const once: Attempt = (fn) => fn();
