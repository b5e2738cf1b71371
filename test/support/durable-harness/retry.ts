// The host's retry policy for callActivityWithRetry / callSubOrchestratorWithRetry. The SDK does
// not retry: it only waits for the events. The extension hands the RetryOptions to the Durable
// Task Framework's RetryInterceptor, which loops
//   for (retryCount = 0; retryCount < maxNumberOfAttempts; retryCount++) {
//     try { return await call(); } catch { }
//     delay = computeNextDelay(retryCount); if (delay == 0) break;
//     await CreateTimer(now + delay);
//   }
//   throw lastFailure;
// so a timer follows every failure, the last one included, and the SDK's RetryableTask waits for
// that final timer before it throws the failure into the orchestrator.
import type { WireRetryOptions } from './wire.js';

export interface RetryPolicy {
  firstRetryIntervalMs: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  /** Infinity when not set (TimeSpan.MaxValue on the host). */
  retryTimeoutMs: number;
}

/** The extension's RetryOptions default MaxRetryInterval (6 days); DTFx's default backoff is 1. */
const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 3600_000;

export function toRetryPolicy(options: WireRetryOptions): RetryPolicy {
  return {
    firstRetryIntervalMs: options.firstRetryIntervalInMilliseconds,
    maxNumberOfAttempts: options.maxNumberOfAttempts,
    backoffCoefficient: options.backoffCoefficient ?? 1,
    maxRetryIntervalMs: options.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_MS,
    retryTimeoutMs: options.retryTimeoutInMilliseconds ?? Infinity,
  };
}

/**
 * RetryInterceptor.ComputeNextDelay: 0 (give up) once retryTimeout has passed since the first
 * attempt, else firstRetryInterval * backoffCoefficient^retryCount capped at maxRetryInterval.
 */
export function nextRetryDelayMs(policy: RetryPolicy, retryCount: number, firstAttemptAt: Date, now: Date): number {
  if (!(now.getTime() < firstAttemptAt.getTime() + policy.retryTimeoutMs)) return 0;
  const delay = policy.firstRetryIntervalMs * policy.backoffCoefficient ** retryCount;
  return delay < policy.maxRetryIntervalMs ? delay : policy.maxRetryIntervalMs;
}
