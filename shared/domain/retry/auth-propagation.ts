import type { ErrorCode } from '../../contracts/error-codes.js';

/**
 * Exchange Online applies a new FullAccess grant, service principal or IMAP switch within about
 * an hour; until then the mailbox refuses a valid app token exactly as it would refuse one that
 * will never work. The schedule is pure so both the CLI loop and a Durable orchestrator (with
 * durable timers) drive the same one.
 */

/** The IMAP answers that a grant still propagating gives (and that a missing grant gives). */
export const AUTH_REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED']);

export const DEFAULT_FIRST_DELAY_MS = 5_000;
export const DEFAULT_MAX_DELAY_MS = 120_000;

export interface PropagationSchedule {
  /** How long refusals are retried, counted from the first attempt; 0 = report the first refusal. */
  windowMs: number;
  /** First wait after a refusal; doubled after each further one. Default 5,000. */
  firstDelayMs?: number;
  /** Longest single wait. Default 120,000. */
  maxDelayMs?: number;
}

/**
 * The wait before the next attempt after `refusals` refusals, `elapsedMs` into the window, or
 * undefined when the window is over. The last wait is cut to the window's end, so one attempt
 * always lands on it.
 */
export function propagationDelayMs(refusals: number, elapsedMs: number, opts: PropagationSchedule): number | undefined {
  const remaining = opts.windowMs - elapsedMs;
  if (remaining <= 0 || refusals < 1) return undefined;
  const first = opts.firstDelayMs ?? DEFAULT_FIRST_DELAY_MS;
  const backoff = Math.min(opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, first * 2 ** (refusals - 1));
  return Math.min(backoff, remaining);
}
