import type { MailboxRow } from '../../contracts/mailbox.js';
import type { FolderOutcome } from '../../contracts/orchestration.js';
import type { FolderReport } from '../../contracts/report.js';
import { mailboxKey } from '../../domain/checkpoints/checkpoint-store.js';
import type { EngineDeps } from '../engine-deps.js';
import { folderReport, folderRef } from '../folder-pass.js';

/**
 * Folder reports from the small outcomes the Durable driver's folder orchestrations return: the
 * totals come from the ledger (one read for the mailbox), so no list ever crosses the history.
 */
export async function folderOutcomeReports(deps: EngineDeps, row: Pick<MailboxRow, 'sourceEmail' | 'destinationEmail'>, outcomes: readonly FolderOutcome[]): Promise<FolderReport[]> {
  const mailbox = mailboxKey(row.sourceEmail, row.destinationEmail);
  const cps = await deps.checkpoints.list(mailbox);
  return outcomes.map((f) => {
    const cp = cps.find((c) => c.sourcePath === f.sourcePath);
    const r = folderReport(folderRef(mailbox, row.sourceEmail, row.destinationEmail, f), cp, f.state, cp?.lastStatus?.messages ?? 0, f.copiedThisPass, f.error);
    if (f.flagsChanged !== undefined) r.flagsChanged = f.flagsChanged;
    return r;
  });
}
