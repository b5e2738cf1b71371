import type { MailboxVerification } from './verification.js';
import type { DateWindow, ExcludedFolder } from './mailbox-controls.js';

/** A message skipped or failed, with why: kept in the ledger and listed in the report. */
export interface MessageIssue {
  uid: number;
  size: number;
  code: string;
  reason: string;
  subject?: string;
}

export type FolderState = 'copied' | 'unchanged' | 'failed' | 'skipped';

/** Why a pass repaired a folder's destination (deleted, recreated or emptied there since the last pass). */
export type RepairReason = 'DESTINATION_FOLDER_GONE' | 'DESTINATION_FOLDER_RECREATED' | 'DESTINATION_MESSAGES_MISSING';

export interface FolderRepair {
  reason: RepairReason;
  /** Counts and UIDVALIDITYs only: no folder name or mailbox text. */
  detail: string;
}

export interface ByteBudgetReport {
  bytesPerWindow: number;
  windowSeconds: number;
  resumedAt: string[];
}

export interface FolderReport {
  sourcePath: string;
  destinationPath: string;
  state: FolderState;
  messagesAtSource: number;
  /** Totals across all passes, from the checkpoint ledger. */
  copied: number;
  copiedBytes: number;
  alreadyPresent: number;
  skippedCount: number;
  failedCount: number;
  droppedKeywords: number;
  /** Expunged at the source while being copied: not copied, not failed. */
  vanished: number;
  skipped: MessageIssue[];
  failed: MessageIssue[];
  /** This pass only. */
  copiedThisPass: number;
  /** Cut-over pass: destination messages whose flags were brought in line with the source. */
  flagsChanged?: number;
  /** Cut-over with DELETE_AT_CUTOVER: destination copies removed because the source message was expunged since. */
  deletedAtCutover?: number;
  /** Why none could be removed (a re-created folder, no UIDPLUS). */
  deleteSkippedReason?: string;
  /** The pass began without a checkpoint and compared with the destination's messages (alreadyPresent counts those found). */
  reconciled?: true;
  /** The destination folder no longer held what earlier passes put there: this pass compared with what it holds and appended only what was missing. */
  repaired?: FolderRepair;
  /** The source's `\All` folder (Gmail's All Mail): only its archived-only messages are copied, into the archive folder (destinationPath). */
  archivedOnly?: true;
  /** DAILY_BYTES_PER_MAILBOX: each time this pass waited for the mailbox's next budget window, when it resumed (ISO 8601). */
  budgetPauses?: string[];
  error?: { code: string; message: string };
}

/**
 * The messages of the source's `\All` folder (Gmail's All Mail) filed in no other folder
 * (archived mail without a label), and what became of them: copied into the archive folder
 * (ALL_MAIL_ARCHIVE_FOLDER, else the destination's Archive), each once.
 */
export interface ArchivedOnlyReport {
  sourcePath: string;
  /** The archive folder they were copied into. */
  destinationPath: string;
  /** Copied into the archive folder by this pass. */
  copiedThisPass: number;
  /** In the archive folder over all passes: copied, plus found already there (from the ledger). */
  total: number;
  /** Cut-over: counted again at the source (archived-only ones) and found in the archive folder, message by message. */
  verified?: { atSource: number; inArchive: number; result: 'PASS' | 'FAIL' };
}

export interface SkippedFolder {
  sourcePath: string;
  code: string;
  reason: string;
}

export interface RenamedFolder {
  sourcePath: string;
  destinationPath: string;
  reason: string;
}

/** A folder of the ledger the source no longer lists, and what the cut-over did with its copy. */
export interface GoneFolderReport {
  sourcePath: string;
  destinationPath: string;
  /** DELETE_GONE_FOLDERS_AT_CUTOVER, cut-over: our copies removed from the destination folder (through the UID map). */
  removedAtCutover?: number;
  /** DELETE_GONE_FOLDERS_AT_CUTOVER, cut-over: whether the destination folder was deleted (it was then empty, without subfolders). */
  folderDeleted?: boolean;
  /** Why the destination folder is still there (messages we did not copy, subfolders, no UIDPLUS …) or was not looked at. */
  keptBecause?: string;
}

export type MailboxState = 'completed' | 'completed-with-issues' | 'failed';

export interface MailboxReport {
  sourceEmail: string;
  destinationEmail: string;
  state: MailboxState;
  folders: FolderReport[];
  skippedFolders: SkippedFolder[];
  renamedFolders: RenamedFolder[];
  /** Source folders the folder controls left out (INCLUDE_FOLDERS / EXCLUDE_FOLDERS or the row's columns), with the pattern. */
  excludedFolders?: ExcludedFolder[];
  /** Folders earlier passes copied that the source no longer lists (deleted or renamed there): their copies are left at the destination unless DELETE_GONE_FOLDERS_AT_CUTOVER. */
  sourceFoldersGone?: GoneFolderReport[];
  /** The bandwidth caps the pass ran under (bytes/s of message bytes read from the source). */
  bandwidth?: { mailboxBytesPerSecond?: number; batchBytesPerSecond?: number };
  /** DAILY_BYTES_PER_MAILBOX: the budget this pass ran under and when it resumed after each pause (ISO 8601, oldest first). */
  byteBudget?: ByteBudgetReport;
  /** The date window this pass copied (MESSAGES_SINCE / MESSAGES_BEFORE or the row's Since / Before); absent: all dates. */
  dateWindow?: DateWindow;
  totals: { folders: number; copied: number; copiedBytes: number; copiedThisPass: number; skipped: number; failed: number; alreadyPresent: number };
  error?: { code: string; message: string };
  /** Cut-over pass: source and destination compared folder by folder. */
  verification?: MailboxVerification;
  /** The source has an `\All` folder (Gmail's All Mail): its archived-only messages, counted. */
  archivedOnly?: ArchivedOnlyReport;
  startedAt: string;
  finishedAt: string;
}

export interface BatchReport {
  batchId: string;
  startedAt: string;
  finishedAt: string;
  mailboxes: MailboxReport[];
  /** The batch stopped early on a cause every mailbox shares (a credential, a tenant, a host); the rest were not started (BATCH_STOPPED). */
  stopped?: { code: string; message: string };
  totals: {
    mailboxes: number; completed: number; withIssues: number; failed: number; copied: number; copiedBytes: number; skipped: number; failedMessages: number;
    /** Summed over the mailboxes that report archived-only messages (absent when none does); verifiedAtSource over those verified. */
    archivedOnly?: { mailboxes: number; copiedThisPass: number; total: number; verifiedAtSource?: number; verifiedInArchive?: number };
  };
}
