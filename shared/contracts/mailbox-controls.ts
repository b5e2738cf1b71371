/**
 * What an admin narrows a migration to, per batch (settings) and per row (optional CSV columns):
 * which folders, which dates. Small plain JSON: it rides in orchestration inputs with the row.
 */
export interface MailboxControls {
  /** Folder patterns (folder-patterns.ts): when set, only matching folders (and their subfolders) are copied. */
  includeFolders?: string[];
  /** Folder patterns: matching folders and their subfolders are left out; exclusion wins over inclusion. */
  excludeFolders?: string[];
  /** Messages whose internal date is on or after this UTC day (YYYY-MM-DD). */
  since?: string;
  /** Messages whose internal date is before this UTC day (YYYY-MM-DD). */
  before?: string;
  /** Cut-over: remove at the destination the copies of messages expunged at the source since (off unless set). */
  deleteAtCutover?: boolean;
  /** Cut-over: for folders the source no longer has, remove our copies and then the destination folder if nothing else is in it (off unless set). */
  deleteGoneFolders?: boolean;
  /** Message bytes per second this mailbox may move, across all its connections (0 or unset: no cap). */
  maxBytesPerSecond?: number;
  /** Source bytes this mailbox may read per budget window (DAILY_BYTES_PER_MAILBOX); 0: no budget, so a row's 0 lifts the batch's. */
  dailyBytes?: number;
}

/** A source folder the controls left out, and the pattern that did it. */
export interface ExcludedFolder {
  sourcePath: string;
  /** 'exclude': a pattern of excludeFolders matched; 'include': no pattern of includeFolders did. */
  rule: 'exclude' | 'include';
  /** The matching exclude pattern; for 'include', the include list as written. */
  pattern: string;
}

/** A window over internal dates (UTC days): since inclusive, before exclusive; either may be open. */
export interface DateWindow {
  since?: string;
  before?: string;
}
