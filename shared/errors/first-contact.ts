/** Network failures that, before a host was ever reached, mean it is mis-set rather than briefly down. */
export const FIRST_CONTACT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** The first-contact failure code anywhere on an error's cause chain (SDKs wrap the socket's error). */
export function firstContactCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; typeof cur === 'object' && cur !== null && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && FIRST_CONTACT_FAILURES.has(code)) return code;
    const message = (cur as { message?: unknown }).message;
    // Some SDKs keep only the socket error's text (`connect ECONNREFUSED 127.0.0.1:1`).
    const named = typeof message === 'string' ? /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\b/.exec(message) : null;
    if (named) return named[1];
  }
  return undefined;
}
