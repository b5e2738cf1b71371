import pLimit from 'p-limit';
import type { MailboxRow } from '../contracts/mailbox.js';
import type { BatchReport, MailboxReport } from '../contracts/report.js';
import type { EngineDeps } from './engine-deps.js';
import { migrateMailbox } from './migrate-mailbox.js';
import { SpareWorkers } from './spare-workers.js';
import { mailboxKey } from '../domain/checkpoints/checkpoint-store.js';

export interface RunBatchOptions {
  batchId: string;
  final?: boolean;
  concurrency: number;
  retryBaseMs: number;
  onCopied?: (n: number, bytes: number) => void;
  onMailboxDone?: (r: MailboxReport) => void;
}

/** Mailbox pairs already cut over: no later pass may copy into them. */
export async function closedMailboxes(deps: EngineDeps, rows: readonly MailboxRow[]): Promise<{ row: MailboxRow; closedAt: string }[]> {
  const out: { row: MailboxRow; closedAt: string }[] = [];
  for (const row of rows) {
    const at = await deps.checkpoints.closedAt(mailboxKey(row.sourceEmail, row.destinationEmail));
    if (at) out.push({ row, closedAt: at });
  }
  return out;
}

/** The one-machine driver: a bounded-concurrency loop over the same engine calls the activities make. */
export async function runBatch(deps: EngineDeps, rows: readonly MailboxRow[], opts: RunBatchOptions): Promise<BatchReport> {
  const startedAt = new Date().toISOString();
  const limit = pLimit(opts.concurrency);
  const spare = new SpareWorkers(limit, opts.concurrency);
  const mailboxes = await Promise.all(
    rows.map((row) =>
      limit(async () => {
        const r = await migrateMailbox(deps, row, { retryBaseMs: opts.retryBaseMs, final: opts.final === true, spare, ...(opts.onCopied ? { onCopied: opts.onCopied } : {}) });
        opts.onMailboxDone?.(r);
        return r;
      }),
    ),
  );
  return batchReport(opts.batchId, startedAt, mailboxes);
}

export function batchReport(batchId: string, startedAt: string, mailboxes: MailboxReport[], finishedAt = new Date().toISOString()): BatchReport {
  const sum = (f: (m: MailboxReport) => number): number => mailboxes.reduce((a, m) => a + f(m), 0);
  return {
    batchId,
    startedAt,
    finishedAt,
    mailboxes,
    totals: {
      mailboxes: mailboxes.length,
      completed: mailboxes.filter((m) => m.state === 'completed').length,
      withIssues: mailboxes.filter((m) => m.state === 'completed-with-issues').length,
      failed: mailboxes.filter((m) => m.state === 'failed').length,
      copied: sum((m) => m.totals.copied),
      copiedBytes: sum((m) => m.totals.copiedBytes),
      skipped: sum((m) => m.totals.skipped),
      failedMessages: sum((m) => m.totals.failed),
    },
  };
}
