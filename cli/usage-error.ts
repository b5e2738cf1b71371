/** Bad input from the user (CSV, options): printed as is, exit code 2, nothing started. */
export class UsageError extends Error {
  override name = 'UsageError';
}
