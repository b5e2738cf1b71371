import type { BatchReport, MailboxReport } from '../../contracts/report.js';
import { archivedOnlyTotals } from '../../domain/reports/archived-only-report.js';

/** The batch report of finished mailbox reports: both drivers' last step (the CLI loop, the writeBatchReport activity). */
export function batchReport(batchId: string, startedAt: string, mailboxes: MailboxReport[], finishedAt = new Date().toISOString()): BatchReport {
  const sum = (f: (m: MailboxReport) => number): number => mailboxes.reduce((a, m) => a + f(m), 0);
  const archivedOnly = archivedOnlyTotals(mailboxes);
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
      ...(archivedOnly ? { archivedOnly } : {}),
    },
  };
}
