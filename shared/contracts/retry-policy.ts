/** One retry policy for transient errors, used by the CLI loop and the orchestrators' RetryOptions. */
export const RETRY_POLICY = {
  maxAttempts: 6,
  firstRetryIntervalMs: 2_000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
} as const;

/** Most throttling waits a mailbox sits out in a row before it is reported failed. */
export const MAX_THROTTLE_WAITS = 20;
