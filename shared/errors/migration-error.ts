import type { ErrorClass, ErrorCode } from '../contracts/error-codes.js';
import { redact } from './redact.js';

/**
 * The one error type the engine raises on purpose. `errorClass` decides what happens next:
 * transient → the caller retries, throttled → wait `retryAfterMs`, permanent → report and move on.
 * The message is always redacted: it may end up in durable history, logs and reports.
 */
export class MigrationError extends Error {
  readonly code: ErrorCode;
  readonly errorClass: ErrorClass;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, errorClass: ErrorClass, message: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(redact(message));
    this.name = 'MigrationError';
    this.code = code;
    this.errorClass = errorClass;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    // The cause is kept out of enumerable fields so it is never serialised by accident.
    if (opts.cause !== undefined) Object.defineProperty(this, 'cause', { value: opts.cause, enumerable: false });
  }

  toJSON(): { code: ErrorCode; errorClass: ErrorClass; message: string; retryAfterMs?: number } {
    return { code: this.code, errorClass: this.errorClass, message: this.message, ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}) };
  }
}
