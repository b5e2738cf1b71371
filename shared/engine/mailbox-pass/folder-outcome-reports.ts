import type { MailboxPair } from '../../contracts/mailbox-pair.js';
import type { FolderOutcome } from '../../contracts/orchestration.js';
import type { FolderReport } from '../../contracts/report.js';
import type { EngineDeps } from '../engine-deps.js';
import { folderReport, folderRef } from '../folder-pass.js';

/**
 * Folder reports from the small outcomes the Durable driver's folder orchestrations return: the
 * totals come from the ledger (one read for the mailbox), so no list ever crosses the history.
 */
export async function folderOutcomeReports(deps: EngineDeps, pair: MailboxPair, outcomes: readonly FolderOutcome[]): Promise<FolderReport[]> {
  const cps = await deps.checkpoints.list(pair.key);
  return outcomes.map((f) => {
    const cp = cps.find((c) => c.sourcePath === f.sourcePath);
    const r = folderReport(folderRef(pair, f), cp, f.state, cp?.lastStatus?.messages ?? 0, f.copiedThisPass, f.error);
    if (f.flagsChanged !== undefined) r.flagsChanged = f.flagsChanged;
    if (f.repaired) r.repaired = f.repaired;
    if (f.deletedAtCutover !== undefined) r.deletedAtCutover = f.deletedAtCutover;
    if (f.deleteSkippedReason) r.deleteSkippedReason = f.deleteSkippedReason;
    if (f.budgetPauses) r.budgetPauses = f.budgetPauses;
    return r;
  });
}
