import type { ImapResponse } from './imap-response.js';

/** Handlers of one command's untagged answers, by their keyword (`FETCH`, `STATUS`, `EXISTS`, `OK`…). */
export type UntaggedHandlers = Readonly<Partial<Record<string, (r: ImapResponse) => void>>>;

/**
 * The keyword an untagged answer is routed by, upper-cased: the word after `*`, or after its
 * number (`* 12 FETCH (…)` → FETCH, `* 3 EXISTS` → EXISTS); '' for anything else.
 */
export function untaggedKeyword(r: ImapResponse): string {
  return /^\*\s+(?:\d+\s+)?([A-Za-z][A-Za-z0-9.-]*)/.exec(r.parts[0] ?? '')?.[1]?.toUpperCase() ?? '';
}
