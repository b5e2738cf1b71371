import type { MailboxRow } from './mailbox.js';

/** Where a batch's CSV lives: orchestrations carry this reference, never the list. */
export interface CsvRef {
  container: string;
  blobName: string;
}

/** Limits chosen by the starter from settings (orchestrators cannot read settings). */
export interface BatchLimits {
  /** Mailboxes started at once (sub-orchestrations per wave). */
  mailboxWave: number;
  /** Folders copied at once per mailbox. */
  folderWave: number;
  /** Rows read per page of the CSV (one continueAsNew generation per page). */
  pageSize: number;
}

export interface BatchInput {
  batchId: string;
  csv: CsvRef;
  totalRows: number;
  limits: BatchLimits;
  /** Index of the next row to start (carried across continueAsNew). */
  cursor: number;
  startedAt: string;
  summary: BatchSummary;
}

export interface BatchSummary {
  done: number;
  completed: number;
  withIssues: number;
  failed: number;
  copied: number;
  copiedBytes: number;
}

export interface MailboxInput {
  batchId: string;
  row: MailboxRow;
  folderWave: number;
}

/** Small on purpose: the full mailbox report goes to Blob Storage. */
export interface MailboxSummary {
  line: number;
  state: 'completed' | 'completed-with-issues' | 'failed';
  copied: number;
  copiedBytes: number;
  skipped: number;
  failed: number;
  error?: string;
}

export interface FolderOutcome {
  sourcePath: string;
  destinationPath: string;
  state: 'copied' | 'unchanged' | 'failed';
  copiedThisPass: number;
  error?: { code: string; message: string };
}

export interface BatchStatus {
  phase: 'running' | 'reporting' | 'done';
  total: number;
  summary: BatchSummary;
}
