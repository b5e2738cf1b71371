import type { MailboxPair } from '../../contracts/mailbox-pair.js';
import type { MailboxReport } from '../../contracts/report.js';
import type { EngineDeps } from '../engine-deps.js';
import { summariseMailbox, type MailboxParts } from '../summarise.js';
import { verifyMailbox, type VerifyOptions } from '../verify-mailbox.js';
import { reportedCaps, reportedWindow } from '../pass-window.js';
import { reportedBudget } from './reported-budget.js';
import { deletesGoneFolders, removeGoneFolders } from '../remove-gone-folders.js';

/** A pass's parts of the mailbox report (the pair gives the addresses, the pass the verification). */
export type MailboxPassParts = Omit<MailboxParts, 'sourceEmail' | 'destinationEmail' | 'verification'> & {
  /** The cut-over pass: verify, then close the pair to further passes. */
  final: boolean;
  /** How the cut-over's verification tries its reads (the CLI waits out throttling). */
  verify?: VerifyOptions;
};

/**
 * The second half of a mailbox pass, for both drivers: on cut-over the source and destination are
 * compared (unless the mailbox already failed), the report summed up, and a pair that did not fail
 * closed in the ledger so no later pass copies into it.
 */
export async function finishMailboxPass(deps: EngineDeps, pair: MailboxPair, parts: MailboxPassParts): Promise<MailboxReport> {
  const verification = parts.final && !parts.error ? await verifyMailbox(deps, pair, parts.verify) : undefined;
  // Opt-in, cut-over only, not for a mailbox that failed, and after the verification (which the
  // app may hand back when throttled and ask again): the copies of folders gone at the source.
  const gone = parts.sourceFoldersGone ?? [];
  const sourceFoldersGone = parts.final && !parts.error && gone.length > 0 && deletesGoneFolders(deps, pair) ? await removeGoneFolders(deps, pair, gone, new Set(parts.folders.map((f) => f.destinationPath))) : gone;
  const report = summariseMailbox({
    sourceEmail: pair.sourceEmail,
    destinationEmail: pair.destinationEmail,
    startedAt: parts.startedAt,
    folders: parts.folders,
    skippedFolders: parts.skippedFolders,
    renamedFolders: parts.renamedFolders,
    ...(parts.excludedFolders && parts.excludedFolders.length > 0 ? { excludedFolders: parts.excludedFolders } : {}),
    ...reportedWindow(deps, pair),
    ...reportedCaps(deps, pair),
    ...reportedBudget(deps, pair, parts.folders),
    ...(sourceFoldersGone.length > 0 ? { sourceFoldersGone } : {}),
    ...(parts.error ? { error: parts.error } : {}),
    ...(verification ? { verification } : {}),
  });
  if (parts.final && report.state !== 'failed') await deps.checkpoints.markClosed(pair.key, report.finishedAt);
  return report;
}
