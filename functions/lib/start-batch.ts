import type { CsvProblem } from '../../shared/contracts/mailbox.js';
import type { BatchInput, BatchLimits, CsvRef, PassMode } from '../../shared/contracts/orchestration.js';
import { ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { Settings } from '../../shared/config/settings.js';
import { parseMailboxCsv } from '../../shared/domain/csv/parse-mailbox-csv.js';
import type { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import type { DurableClientLike } from './durable-client.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';

/** What the dashboard knows of a batch before any mailbox of it reports (reportPaths.batchRecord). */
export interface BatchRecord {
  id: string;
  csv: CsvRef;
  totalRows: number;
  startedAt: string;
}

export type StartOutcome =
  | { kind: 'invalid'; problems: CsvProblem[] }
  | { kind: 'started'; batchId: string; rows: number }
  | { kind: 'duplicate'; batchId: string; runtimeStatus: string };

/** A page of ~100 bytes a row stays well under the ~45 KB at which Durable moves payloads to blobs. */
const MAX_PAGE_ROWS = 300;

export function batchLimits(s: Settings): BatchLimits {
  const mailboxWave = Math.min(s.maxConcurrentMailboxes, MAX_PAGE_ROWS);
  return { mailboxWave, folderWave: s.maxConnectionsPerMailbox, messagesPerFolderWorker: s.messagesPerFolderWorker, pageSize: Math.min(MAX_PAGE_ROWS, Math.max(mailboxWave, 100)), authPropagationWindowMs: s.authPropagationWindowMinutes * 60_000 };
}

const RUNNING_OR_DONE = new Set(['Running', 'Pending', 'Completed', 'ContinuedAsNew', 'Suspended']);

/**
 * Validates the whole CSV, then starts one batch under a content-derived id. The same file
 * delivered twice (Event Grid retries, re-uploads) finds its instance and starts nothing.
 * The orchestration gets the blob reference and limits, never the mailbox list.
 */
export async function startBatch(args: { client: DurableClientLike; blobs: BlobStore; settings: Settings; batchId: string; csv: Buffer; csvRef: CsvRef; upload: boolean; now: Date; mode?: PassMode }): Promise<StartOutcome> {
  const parsed = parseMailboxCsv(args.csv);
  if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
  const existing = await args.client.getStatus(args.batchId);
  if (existing?.runtimeStatus && RUNNING_OR_DONE.has(existing.runtimeStatus)) return { kind: 'duplicate', batchId: args.batchId, runtimeStatus: existing.runtimeStatus };
  if (args.upload) await args.blobs.put(args.csvRef.container, args.csvRef.blobName, args.csv, 'text/csv');
  const s = args.settings;
  const input: BatchInput = {
    batchId: args.batchId,
    pass: 1,
    mode: args.mode ?? 'copy',
    deltaIntervalMinutes: s.deltaIntervalMinutes,
    csv: args.csvRef,
    totalRows: parsed.rows.length,
    limits: batchLimits(s),
    cursor: 0,
    startedAt: args.now.toISOString(),
    summary: { done: 0, completed: 0, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0 },
  };
  try {
    await args.client.startNew(ORCHESTRATORS.migrateBatch, { instanceId: args.batchId, input });
  } catch (e) {
    // Two deliveries racing: the second start finds the first one's instance.
    const again = await args.client.getStatus(args.batchId);
    if (again?.runtimeStatus && RUNNING_OR_DONE.has(again.runtimeStatus)) return { kind: 'duplicate', batchId: args.batchId, runtimeStatus: again.runtimeStatus };
    throw e;
  }
  const record: BatchRecord = { id: args.batchId, csv: args.csvRef, totalRows: parsed.rows.length, startedAt: input.startedAt };
  await args.blobs.put(s.reportsContainer, reportPaths.batchRecord(args.batchId), JSON.stringify(record), 'application/json');
  return { kind: 'started', batchId: args.batchId, rows: parsed.rows.length };
}
