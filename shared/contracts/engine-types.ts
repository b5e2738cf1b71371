import type { FolderStatus } from './imap.js';
import type { RenamedFolder, SkippedFolder } from './report.js';
import type { ExcludedFolder, MailboxControls } from './mailbox-controls.js';

/** Shapes that cross the activity boundary; orchestrators see these types and nothing of the engine. */

export interface FolderTask {
  sourcePath: string;
  destinationPath: string;
  specialUse?: string;
  /** The destination folder was not there: this pass created it (a folder deleted there since the last pass is repaired). */
  createdAtDestination?: true;
  /** The pass's start, taken when the mailbox was prepared (Durable): the folder skips beginFolderPass. */
  start?: FolderPassStart;
  /** The source `\All` folder (Gmail's All Mail): only the messages found in no other source folder are copied. */
  archivedOnly?: true;
}

export interface PreparedFolders {
  folders: FolderTask[];
  skipped: SkippedFolder[];
  renamed: RenamedFolder[];
  /** Source folders the mailbox's folder controls left out, each with its pattern. */
  excluded?: ExcludedFolder[];
  /** Folders earlier passes copied that the source no longer lists (deleted or renamed there since): reported; their copies left in place unless DELETE_GONE_FOLDERS_AT_CUTOVER. */
  sourceGone?: GoneFolder[];
}

/** A folder of the ledger the source no longer has. */
export interface GoneFolder {
  sourcePath: string;
  destinationPath: string;
}

/** Identifies one folder of one mailbox pair in every engine call. */
export interface FolderRef {
  mailbox: string;
  sourceEmail: string;
  destinationEmail: string;
  sourcePath: string;
  destinationPath: string;
  /** The row's own controls, when its CSV row set any (the date window applies per folder). */
  controls?: MailboxControls;
  /** See FolderTask.archivedOnly. */
  archivedOnly?: true;
}

export interface FolderPassStart {
  /** Nothing changed at the source since the last completed pass: no message is fetched. */
  unchanged: boolean;
  status: FolderStatus;
  /** Copy from after this UID. */
  afterUid: number;
  /** An empty source folder: the destination folder's STATUS as this pass found it, where it was asked; its pass ends with it (no second STATUS). */
  destination?: FolderStatus;
}

/** A bounded run of source UIDs, copied by one activity call. */
export interface UidRange {
  fromUid: number;
  toUid: number;
  count: number;
  bytes: number;
  /**
   * Only these UIDs of the range are copied (an IMAP uid-set, e.g. "3,7:9"): set on ranges of an
   * archivedOnly folder, whose other messages are copied from the folders they are filed in.
   */
  uids?: string;
}

export interface FolderPlanPage {
  uidValidity: string;
  uidNext: number;
  messages: number;
  ranges: UidRange[];
  /** True when the ranges reach the end of the folder. */
  complete: boolean;
}

export type CopyRangeResult =
  /** vanished: expunged at the source between the metadata and the body FETCH (not copied, not failed). */
  | { status: 'copied'; copied: number; copiedBytes: number; alreadyPresent: number; skipped: number; failed: number; vanished: number; lastUid: number }
  | { status: 'uidvalidity-changed'; uidValidity: string }
  /**
   * The mailbox's byte budget (DAILY_BYTES_PER_MAILBOX) ran out before the range's end: every UID
   * up to lastUid is settled, the rest waits. Copy the same range again at resumesAt (ISO 8601):
   * it goes on at the exact UID.
   */
  | { status: 'budget-paused'; resumesAt: string; copied: number; copiedBytes: number; alreadyPresent: number; skipped: number; failed: number; vanished: number; lastUid: number };

export interface FlagSyncResult {
  /** Copied messages whose flags were compared. */
  checked: number;
  /** Destination messages whose flags were set to the source's. */
  changed: number;
  /** Why nothing could be compared, when that is the case. */
  skippedReason?: string;
  /** DELETE_AT_CUTOVER: destination copies removed because their source message was expunged since. */
  deleted?: number;
  /** Why none could be removed, when that is the case. */
  deleteSkippedReason?: string;
}
