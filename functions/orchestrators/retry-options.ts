import * as df from 'durable-functions';
import { RETRY_POLICY } from '../../shared/contracts/retry-policy.js';

/** RetryOptions for transient activity failures, from the one shared policy. */
export function transientRetry(): df.RetryOptions {
  const r = new df.RetryOptions(RETRY_POLICY.firstRetryIntervalMs, RETRY_POLICY.maxAttempts);
  r.backoffCoefficient = RETRY_POLICY.backoffCoefficient;
  r.maxRetryIntervalInMilliseconds = RETRY_POLICY.maxRetryIntervalMs;
  return r;
}
