import type { MailboxVerification } from '../contracts/verification.js';
import type { ByteBudgetReport, FolderReport, GoneFolderReport, MailboxReport, RenamedFolder, SkippedFolder } from '../contracts/report.js';
import type { DateWindow, ExcludedFolder } from '../contracts/mailbox-controls.js';
import { archivedOnlyReport } from '../domain/reports/archived-only-report.js';

export interface MailboxParts {
  sourceEmail: string;
  destinationEmail: string;
  startedAt: string;
  folders: FolderReport[];
  skippedFolders: SkippedFolder[];
  renamedFolders: RenamedFolder[];
  /** Left out by the folder controls: shown, not an issue. */
  excludedFolders?: ExcludedFolder[];
  dateWindow?: DateWindow;
  bandwidth?: { mailboxBytesPerSecond?: number; batchBytesPerSecond?: number };
  byteBudget?: ByteBudgetReport;
  sourceFoldersGone?: GoneFolderReport[];
  /** What stopped the mailbox (prepare failed, or an error no folder survives). */
  error?: { code: string; message: string };
  verification?: MailboxVerification;
}

/** Totals and the mailbox state from its folders: any failed folder or mailbox error = failed; skipped or failed messages = with issues. */
export function summariseMailbox(p: MailboxParts, finishedAt = new Date().toISOString()): MailboxReport {
  const sum = (f: (r: FolderReport) => number): number => p.folders.reduce((a, r) => a + f(r), 0);
  const totals = {
    folders: p.folders.length,
    copied: sum((r) => r.copied),
    copiedBytes: sum((r) => r.copiedBytes),
    copiedThisPass: sum((r) => r.copiedThisPass),
    skipped: sum((r) => r.skippedCount),
    failed: sum((r) => r.failedCount),
    alreadyPresent: sum((r) => r.alreadyPresent),
  };
  const failed = p.error !== undefined || p.folders.some((f) => f.state === 'failed') || p.verification?.result === 'FAIL';
  const issues = totals.skipped > 0 || totals.failed > 0 || p.skippedFolders.some((s) => s.code !== 'VIRTUAL_FOLDER');
  const archivedOnly = archivedOnlyReport(p.folders, p.verification);
  return { ...p, state: failed ? 'failed' : issues ? 'completed-with-issues' : 'completed', totals, ...(archivedOnly ? { archivedOnly } : {}), finishedAt };
}
