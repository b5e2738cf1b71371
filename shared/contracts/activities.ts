import type { ActivityResult } from './activity-result.js';
import type { CopyRangeResult, FlagSyncResult, FolderPassStart, FolderPlanPage, FolderRef, GoneFolder, PreparedFolders, UidRange } from './engine-types.js';
import type { FolderStatus } from './imap.js';
import type { MailboxRow } from './mailbox.js';
import type { CsvRef, FolderOutcome, MailboxSummary } from './orchestration.js';
import type { PairLeaseClaim } from './pair-lease.js';
import type { FolderRepair, RenamedFolder, SkippedFolder } from './report.js';
import type { ExcludedFolder, MailboxControls } from './mailbox-controls.js';

export interface WriteMailboxReportInput {
  batchId: string;
  row: MailboxRow;
  startedAt: string;
  prepared?: { skipped: SkippedFolder[]; renamed: RenamedFolder[]; excluded?: ExcludedFolder[]; sourceGone?: GoneFolder[] };
  folders: FolderOutcome[];
  error?: { code: string; message: string };
  final: boolean;
  /** The pass's claim on the pair's lease: released here, whatever the pass's outcome. */
  lease: PairLeaseClaim;
}

/**
 * Every activity's input and output, by registered name: orchestrators call through these types
 * (callActivity), handlers are checked against them (createActivities … satisfies ActivityHandlers).
 * Inputs stay small plain JSON: they are stored in the task hub's history in clear.
 * Every activity of a mailbox pair carries its pass's lease claim: prepare takes the pair's
 * lease, the folder activities renew it (and refuse to run once another batch holds it),
 * writeMailboxReport releases it.
 */
export interface ActivityContracts {
  readBatchPage: { input: { csv: CsvRef; offset: number; count: number }; output: MailboxRow[] };
  prepareMailboxFolders: { input: { sourceEmail: string; destinationEmail: string; controls?: MailboxControls; lease: PairLeaseClaim }; output: PreparedFolders };
  beginFolderPass: { input: { ref: FolderRef; lease: PairLeaseClaim }; output: FolderPassStart };
  planFolderRanges: { input: { ref: FolderRef; lease: PairLeaseClaim; afterUid: number; expect?: FolderStatus }; output: FolderPlanPage };
  copyMessageRange: { input: { ref: FolderRef; lease: PairLeaseClaim; range: UidRange }; output: CopyRangeResult };
  finishFolderPass: { input: { ref: FolderRef; lease: PairLeaseClaim; start: FolderPassStart; copiedThisPass: number }; output: { state: 'copied' | 'unchanged'; repaired?: FolderRepair } };
  syncFolderFlags: { input: { ref: FolderRef; lease: PairLeaseClaim }; output: FlagSyncResult };
  writeMailboxReport: { input: WriteMailboxReportInput; output: MailboxSummary };
  writeBatchReport: { input: { batchId: string; startedAt: string; pass?: number; final?: boolean }; output: { path: string } };
}

export type ActivityName = keyof ActivityContracts;
export type ActivityInput<K extends ActivityName> = ActivityContracts[K]['input'];
export type ActivityOutput<K extends ActivityName> = ActivityContracts[K]['output'];

/** The handlers' shape: each takes its input and answers an ActivityResult of its output. */
export type ActivityHandlers = { [K in ActivityName]: (input: ActivityInput<K>) => Promise<ActivityResult<ActivityOutput<K>>> };
