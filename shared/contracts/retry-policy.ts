/** One retry policy for transient errors, used by the CLI loop and the orchestrators' RetryOptions. */
export const RETRY_POLICY = {
  maxAttempts: 6,
  firstRetryIntervalMs: 2_000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
} as const;

/** Most throttling waits a mailbox sits out in a row before it is reported failed. */
export const MAX_THROTTLE_WAITS = 20;

export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_POLICY.maxRetryIntervalMs, RETRY_POLICY.firstRetryIntervalMs * RETRY_POLICY.backoffCoefficient ** Math.max(0, attempt - 1));
}
