import { AUTH_REFUSAL_CODES, DEFAULT_FIRST_DELAY_MS, DEFAULT_MAX_DELAY_MS, propagationDelayMs } from '../../domain/retry/auth-propagation.js';

export { AUTH_REFUSAL_CODES, DEFAULT_FIRST_DELAY_MS, DEFAULT_MAX_DELAY_MS, propagationDelayMs };
import { MigrationError } from '../../errors/migration-error.js';

/**
 * Exchange Online applies a new FullAccess grant, service principal or IMAP switch within about
 * an hour; until then the mailbox refuses a valid app token exactly as it would refuse one that
 * will never work. So a refusal is retried with back-off for AUTH_PROPAGATION_WINDOW_MINUTES
 * and only then reported as permanent. Every other error passes straight through.
 */


export function isAuthRefusal(e: unknown): e is MigrationError {
  return e instanceof MigrationError && AUTH_REFUSAL_CODES.has(e.code);
}

export interface PropagationOptions {
  /** How long refusals are retried, counted from the first attempt; 0 = report the first refusal. */
  windowMs: number;
  /** First wait after a refusal; doubled after each further one. Default 5,000. */
  firstDelayMs?: number;
  /** Longest single wait. Default 120,000. */
  maxDelayMs?: number;
  /** Injectable for tests; default Date.now. */
  now?: () => number;
  /** Injectable for tests; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait: `attempt` is the number of refusals so far. */
  onRetry?: (err: MigrationError, attempt: number, waitMs: number) => void;
}


const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function nonNegative(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new TypeError(`${name} must be a finite number of at least 0 (got ${String(v)})`);
}

/** Options are checked before the first attempt, so a typo fails at once and not an hour later. */
export function validatePropagationOptions(opts: PropagationOptions): void {
  nonNegative('windowMs', opts.windowMs);
  nonNegative('firstDelayMs', opts.firstDelayMs);
  nonNegative('maxDelayMs', opts.maxDelayMs);
  if (opts.firstDelayMs === 0 && opts.windowMs > 0) throw new TypeError('firstDelayMs must be above 0 when windowMs is: a zero back-off would spin');
}

/**
 * Runs `fn` until it stops being refused or the window has passed. After the window the last
 * refusal is thrown as permanent, its message saying how long it was retried.
 */
export async function withAuthPropagation<T>(fn: () => Promise<T>, opts: PropagationOptions): Promise<T> {
  validatePropagationOptions(opts);
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const started = now();
  let refusals = 0;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!isAuthRefusal(e)) throw e;
      refusals += 1;
      const elapsed = now() - started;
      const wait = propagationDelayMs(refusals, elapsed, opts);
      if (wait === undefined) {
        if (refusals === 1) throw e;
        const over = `still refused after ${refusals} attempts over ${Math.round(elapsed / 1000)} s (AUTH_PROPAGATION_WINDOW_MINUTES)`;
        throw new MigrationError(e.code, 'permanent', `${e.message} (${over})`, { cause: e });
      }
      opts.onRetry?.(e, refusals, wait);
      await sleep(wait);
    }
  }
}
