import type { ImapSite } from '../../contracts/imap.js';

/**
 * What a preflight reports. The rule for a status: `fail` = the migration cannot start for this
 * mailbox, or something would not arrive at the destination; `warn` = everything arrives, but
 * not exactly as it is at the source (a renamed folder); `skipped` = an earlier check failed and
 * this one could not run.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export type CheckId = 'secret' | 'token' | 'token-claims' | 'login' | 'folders' | 'message-size' | 'folder-names' | 'folder-filter' | 'date-window' | 'bandwidth' | 'byte-budget' | 'cut-over-deletions';

export interface PreflightCheck {
  id: CheckId;
  side?: ImapSite;
  status: CheckStatus;
  /** What was checked and found; never a secret or a token (redacted). */
  detail: string;
  /** Machine-readable reason of a warn/fail: an ErrorCode or a claim problem (WRONG_AUDIENCE ...). */
  code?: string;
  /** Why it failed, in plain words (diagnoses.ts). */
  cause?: string;
  /** What to do about it, with the exact command where there is one. */
  fix?: string;
}

export interface OverLimitMessage {
  folder: string;
  uid: number;
  size: number;
}

export interface PreflightStats {
  /** Source folders that would be copied (selectable, not virtual). */
  folders: number;
  messages: number;
  /** Sum of RFC822.SIZE (an estimate on Exchange). */
  bytes: number;
  largestMessageBytes: number;
  /** The first OVER_LIMIT_LISTED messages larger than MAX_MESSAGE_BYTES, in folder order. */
  overLimit: OverLimitMessage[];
  /** All of them, listed or not. */
  overLimitCount: number;
  /** Under a date window: messages of those folders outside it (not copied; not in the counts above). */
  outsideWindow?: number;
}

export interface MailboxPreflight {
  sourceEmail: string;
  destinationEmail: string;
  /** No check failed (warnings allowed). */
  ok: boolean;
  checks: PreflightCheck[];
  stats?: PreflightStats;
  durationMs: number;
}

export const OVER_LIMIT_LISTED = 20;
