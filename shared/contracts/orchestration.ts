import type { MailboxRow } from './mailbox.js';
import type { FolderRepair } from './report.js';

/** Where a batch's CSV lives: orchestrations carry this reference, never the list. */
export interface CsvRef {
  container: string;
  blobName: string;
}

/** Limits chosen by the starter from settings (orchestrators cannot read settings). */
export interface BatchLimits {
  /** AUTH_PROPAGATION_WINDOW_MINUTES in ms. */
  authPropagationWindowMs?: number;
  /** Mailboxes started at once (sub-orchestrations per wave). */
  mailboxWave: number;
  /** Folders copied at once per mailbox, at most (MAX_CONNECTIONS_PER_MAILBOX). */
  folderWave: number;
  /** MESSAGES_PER_FOLDER_WORKER: one more folder at once per this many messages to copy. */
  messagesPerFolderWorker?: number;
  /** Rows read per page of the CSV (one continueAsNew generation per page). */
  pageSize: number;
}

/** 'copy': a first or delta pass, after which the batch waits; 'final': cut-over (delta + flags + verification), after which it closes. */
export type PassMode = 'copy' | 'final';

export const BATCH_EVENTS = { delta: 'delta', cutover: 'cutover' } as const;

export interface BatchInput {
  batchId: string;
  /** 1 for the first pass; each delta or cut-over adds one. */
  pass: number;
  mode: PassMode;
  /** 0: passes only on demand; else a durable timer starts the next delta pass. */
  deltaIntervalMinutes: number;
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
  /** The pass stopped on this BATCH_WIDE code (a credential, tenant or host every mailbox shares); later rows were not started. */
  stopped?: string;
}

export interface MailboxInput {
  batchId: string;
  row: MailboxRow;
  folderWave: number;
  messagesPerFolderWorker?: number;
  final: boolean;
  /** AUTH_PROPAGATION_WINDOW_MINUTES in ms: how long login refusals are retried on durable timers. */
  authPropagationWindowMs?: number;
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
  verification?: 'PASS' | 'FAIL';
}

export interface FolderOutcome {
  sourcePath: string;
  destinationPath: string;
  state: 'copied' | 'unchanged' | 'failed';
  copiedThisPass: number;
  flagsChanged?: number;
  /** DELETE_AT_CUTOVER: copies removed because their source message was expunged since. */
  deletedAtCutover?: number;
  deleteSkippedReason?: string;
  /** The pass repaired the destination folder (deleted, recreated or emptied there since the last pass). */
  repaired?: FolderRepair;
  /** The source's `\All` folder: the report counts its archived-only messages. */
  archivedOnly?: true;
  /** DAILY_BYTES_PER_MAILBOX: when the folder resumed after each wait for the mailbox's next budget window. */
  budgetPauses?: string[];
  error?: { code: string; message: string };
}

export interface BatchStatus {
  phase: 'running' | 'reporting' | 'waiting' | 'closed';
  pass: number;
  mode: PassMode;
  total: number;
  summary: BatchSummary;
}
