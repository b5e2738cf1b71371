import type { ErrorCode } from './error-codes.js';

/**
 * What every activity returns. durable-functions v3 retries any thrown error and flattens it
 * to a string, so only transient errors are thrown; throttling and permanent failures come
 * back as values the orchestrator can act on (durable timer, report and move on).
 */
export type ActivityResult<T> =
  | { status: 'ok'; value: T }
  | { status: 'throttled'; code: ErrorCode; retryAfterMs: number }
  | { status: 'permanent'; code: ErrorCode; detail: string };
