import type { ArchivedOnlyReport, BatchReport, FolderReport, MailboxReport } from '../../contracts/report.js';
import type { MailboxVerification } from '../../contracts/verification.js';

/**
 * The archived-only count of a mailbox, from the report of its `\All` folder (copied and found
 * already there, over all passes) and, at cut-over, that folder's verification (which compares
 * All Mail by its archived-only part). Undefined when the source has no `\All` folder.
 */
export function archivedOnlyReport(folders: readonly FolderReport[], verification?: MailboxVerification): ArchivedOnlyReport | undefined {
  const f = folders.find((r) => r.archivedOnly);
  if (!f) return undefined;
  const v = verification?.folders.find((x) => x.sourcePath === f.sourcePath);
  return {
    sourcePath: f.sourcePath,
    destinationPath: f.destinationPath,
    copiedThisPass: f.copiedThisPass,
    total: f.copied + f.alreadyPresent,
    ...(v ? { verified: { atSource: v.sourceCount, inArchive: v.sourceCount - v.counts.missing - v.counts.accounted, result: v.result } } : {}),
  };
}

/** The batch's archived-only totals; undefined when no mailbox has an `\All` folder. */
export function archivedOnlyTotals(mailboxes: readonly MailboxReport[]): BatchReport['totals']['archivedOnly'] {
  const withAll = mailboxes.map((m) => m.archivedOnly).filter((a): a is ArchivedOnlyReport => a !== undefined);
  if (withAll.length === 0) return undefined;
  const verified = withAll.map((a) => a.verified).filter((v) => v !== undefined);
  const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((n, x) => n + f(x), 0);
  return {
    mailboxes: withAll.length,
    copiedThisPass: sum(withAll, (a) => a.copiedThisPass),
    total: sum(withAll, (a) => a.total),
    ...(verified.length > 0 ? { verifiedAtSource: sum(verified, (v) => v.atSource), verifiedInArchive: sum(verified, (v) => v.inArchive) } : {}),
  };
}
