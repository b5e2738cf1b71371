import pLimit from 'p-limit';
import type { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import type { Settings } from '../../shared/config/settings.js';
import { mailboxInstanceId } from '../../shared/contracts/instance-ids.js';
import type { MailboxRow } from '../../shared/contracts/mailbox.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { BatchStatus } from '../../shared/contracts/orchestration.js';
import type { MailboxReport } from '../../shared/contracts/report.js';
import type { CheckpointStore } from '../../shared/domain/checkpoints/checkpoint-store.js';
import { parseMailboxCsv } from '../../shared/domain/csv/parse-mailbox-csv.js';
import { countMailboxes, mailboxProgress, type BatchProgress, type MailboxFacts, type ProgressView } from '../../shared/domain/dashboard/progress-view.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { budgetFacts } from '../../shared/engine/budget-facts.js';
import type { DurableClientLike } from './durable-client.js';
import type { BatchRecord } from './start-batch.js';

export interface DashboardSources {
  client: DurableClientLike;
  blobs: BlobStore;
  settings: Settings;
  checkpoints: CheckpointStore;
}

export interface DashboardQuery {
  /** One batch only (paging through its mailboxes); else the newest batches, first page each. */
  batch?: string;
  offset: number;
  limit: number;
}

/** Newest batches shown at once on the overview. */
export const BATCHES_SHOWN = 10;
/** Reads of one page at once (instance status, report blob, ledger). */
const READS_AT_ONCE = 8;

const rowsCache = new Map<string, MailboxRow[]>();

async function readJson<T>(blobs: BlobStore, container: string, name: string): Promise<T | undefined> {
  const b = await blobs.get(container, name);
  return b ? (JSON.parse(b.toString('utf8')) as T) : undefined;
}

/** The batch's rows, parsed once per process (the CSV blob of a started batch does not change). */
async function batchRows(blobs: BlobStore, record: BatchRecord): Promise<MailboxRow[]> {
  const cached = rowsCache.get(record.id);
  if (cached) return cached;
  const csv = await blobs.get(record.csv.container, record.csv.blobName);
  const parsed = csv ? parseMailboxCsv(csv) : undefined;
  const rows = parsed?.ok ? parsed.rows : [];
  if (rowsCache.size > 50) rowsCache.clear();
  rowsCache.set(record.id, rows);
  return rows;
}

const RUN_OF: Record<string, MailboxFacts['run']> = { Running: 'running', Pending: 'running', ContinuedAsNew: 'running', Completed: 'finished', Failed: 'interrupted', Terminated: 'interrupted', Canceled: 'interrupted', Suspended: 'interrupted' };

/** One batch's line and page of mailboxes: the orchestration's status, each row's pass instance, report and ledger. */
async function batchProgress(src: DashboardSources, record: BatchRecord, offset: number, limit: number): Promise<BatchProgress> {
  const container = src.settings.reportsContainer;
  const status = await src.client.getStatus(record.id);
  const custom = (status?.customStatus ?? null) as BatchStatus | null;
  const pass = custom?.pass ?? 1;
  const rows = (await batchRows(src.blobs, record)).slice(offset, offset + limit);
  const read = pLimit(READS_AT_ONCE);
  const mailboxes = await Promise.all(
    rows.map((row) =>
      read(async () => {
        const instance = await src.client.getStatus(mailboxInstanceId(record.id, pass, row.line));
        const run: MailboxFacts['run'] = instance?.runtimeStatus ? (RUN_OF[instance.runtimeStatus] ?? 'running') : 'not-started';
        const facts: MailboxFacts = { row, run };
        // A running pass counts from the ledger (updated after every range); otherwise the report tells.
        if (run === 'running') {
          facts.checkpoints = await src.checkpoints.list(mailboxPair(row).key);
          // Under a byte budget: how much of the window the mailbox has read (its folders wait once it is spent).
          const budget = await budgetFacts({ settings: src.settings }, src.checkpoints, row);
          if (budget) facts.budget = budget;
        } else {
          const report = await readJson<MailboxReport>(src.blobs, container, reportPaths.mailbox(record.id, row.line));
          if (report) facts.report = report;
        }
        if (instance?.createdTime) facts.startedAt = new Date(instance.createdTime).toISOString();
        return mailboxProgress(facts);
      }),
    ),
  );
  // The orchestration counts a wave's mailboxes when the whole wave is done; a page holding every
  // row counts from what each row shows (its report, its ledger), so the line and the table agree.
  const s = custom?.summary;
  const running = mailboxes.filter((m) => m.state === 'running').length;
  const done = s?.done ?? 0;
  const whole = offset === 0 && mailboxes.length === record.totalRows;
  const counts = whole
    ? countMailboxes(mailboxes)
    : { pending: Math.max(0, record.totalRows - done - running), running, completed: s?.completed ?? 0, withIssues: s?.withIssues ?? 0, failed: s?.failed ?? 0, messages: s?.copied ?? 0, bytes: s?.copiedBytes ?? 0 };
  return {
    id: record.id,
    status: status?.runtimeStatus ?? 'Unknown',
    phase: custom?.phase ?? null,
    pass: custom?.pass ?? null,
    mode: custom?.mode ?? null,
    total: record.totalRows,
    startedAt: record.startedAt,
    counts,
    offset,
    mailboxes,
    reportUrl: custom?.phase === 'waiting' || custom?.phase === 'closed' ? `/api/migrations/${record.id}/report?format=html` : null,
  };
}

/** The dashboard's data: the newest batches (or one), each with a page of mailboxes. */
export async function dashboardView(src: DashboardSources, q: DashboardQuery, now: Date = new Date()): Promise<ProgressView> {
  const container = src.settings.reportsContainer;
  const names = q.batch ? [reportPaths.batchRecord(q.batch)] : await src.blobs.list(container, reportPaths.batchRecordPrefix);
  const records = (await Promise.all(names.map((n) => readJson<BatchRecord>(src.blobs, container, n)))).filter((r): r is BatchRecord => r !== undefined);
  records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const shown = records.slice(0, q.batch ? 1 : BATCHES_SHOWN);
  const batches: BatchProgress[] = [];
  for (const r of shown) batches.push(await batchProgress(src, r, q.batch ? q.offset : 0, q.limit));
  return { generatedAt: now.toISOString(), batches };
}
