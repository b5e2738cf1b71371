import type { FolderReport } from '../contracts/report.js';
import { copyRange, type RangeContext } from './copy-range.js';
import type { FolderStatus } from '../contracts/imap.js';
import type { EngineDeps } from './engine-deps.js';
import { beginFolderPass, finishFolderPass, planNextRangesWithRows, type FolderPassStart, type FolderRef } from './folder-pass.js';
import { withRetry, type ThrottleGate } from './retry.js';
import { cutOverFolder } from './cut-over-folder.js';
import { sleepUntil } from './budget-pauses.js';
import type { RangeLanes } from './copy-range/range-lanes.js';

export interface CopyFolderContext {
  gate: ThrottleGate;
  /** Cut-over: also carry flag changes of already-copied messages. */
  syncFlags?: boolean;
  retryBaseMs: number;
  onCopied?: (n: number, bytes: number) => void;
  /** The mailbox's byte budget ran out: the folder waits until `resumesAt` (ISO 8601), then goes on. */
  onBudgetPause?: (resumesAt: string) => void;
  /** How the folder waits for the budget's next window (the mailbox's BudgetPauses); a plain sleep without it. */
  waitForBudget?: (resumesAt: string) => Promise<void>;
  /** The folder's STATUS, already taken (the mailbox checks all folders on one session first). */
  start?: FolderPassStart;
  /** The folder has read every body it copies: only its last APPENDs, its record and its check remain. Told at least once (also when there was nothing to read). */
  onSourceRead?: () => void;
  /**
   * Frees the folder's worker for the next folder (far servers): told by a small last range once
   * its bodies are read (it hands its APPEND connection on too), else once the last range's
   * APPENDs are answered, before the folder's record and closing STATUS.
   */
  freeWorker?: () => void;
  /** The mailbox's idle folder workers, lent to a range as lanes (far servers only). */
  lanes?: RangeLanes;
}

/**
 * The CLI's loop over one folder: begin (one STATUS) → plan a page of ranges → copy each →
 * … → finish. The Durable driver runs the same four calls as activities (migrateFolder).
 */
export async function copyFolder(deps: EngineDeps, ctx: CopyFolderContext, ref: FolderRef): Promise<FolderReport> {
  const retry = <T>(fn: () => Promise<T>): Promise<T> =>
    withRetry(fn, { baseDelayMs: ctx.retryBaseMs, gate: ctx.gate, onRetry: (e, n, ms) => deps.log.warn(`${ref.sourceEmail} "${ref.sourcePath}": ${e.code}, retry ${n} in ${ms} ms`) });
  const start = ctx.start ?? (await retry(() => beginFolderPass(deps, ref)));
  let copiedThisPass = 0;
  const budgetPauses: string[] = [];
  let afterUid = start.afterUid;
  // The destination folder as its last range left it (RangeContext.closingStatus).
  let closed: FolderStatus | undefined;
  // An empty folder has nothing to plan: its pass is only recorded.
  while (!start.unchanged && start.status.messages > 0) {
    const first = afterUid === start.afterUid;
    // A small folder's plan is one FETCH of its metadata: its ranges take their rows from it.
    const page = await retry(() => planNextRangesWithRows(deps, ref, afterUid, first ? start.status : undefined));
    const known = page.rows ? { rows: page.rows } : undefined;
    for (const [i, range] of page.ranges.entries()) {
      // Only the folder's last range reads its last bodies.
      const last = page.complete && i === page.ranges.length - 1;
      const context: RangeContext = { ...(last && ctx.onSourceRead ? { sourceRead: ctx.onSourceRead } : {}), ...(last && ctx.freeWorker ? { freeWorker: ctx.freeWorker } : {}), ...(ctx.lanes ? { lanes: ctx.lanes } : {}), ...(last ? { closingStatus: (s: FolderStatus) => (closed = s) } : {}) };
      for (;;) {
        const r = await retry(() => copyRange(deps, { ...ref, range }, known, context));
        if (r.status === 'uidvalidity-changed') return copyFolder(deps, { ...ctx, start: undefined }, ref); // re-plan from the top
        copiedThisPass += r.copied;
        ctx.onCopied?.(r.copied + r.alreadyPresent + r.skipped + r.failed + r.vanished, r.copiedBytes);
        if (r.status === 'copied') break;
        // The budget's window is spent: the same range again once the next one opens, from the exact UID it stopped before.
        budgetPauses.push(r.resumesAt);
        ctx.onBudgetPause?.(r.resumesAt);
        await (ctx.waitForBudget ?? sleepUntil)(r.resumesAt);
      }
      afterUid = Math.max(afterUid, range.toUid);
    }
    if (page.complete) break;
  }
  ctx.onSourceRead?.();
  ctx.freeWorker?.();
  const report = await retry(() => finishFolderPass(deps, ref, start, copiedThisPass, closed));
  if (budgetPauses.length > 0) report.budgetPauses = budgetPauses;
  if (ctx.syncFlags) {
    const cut = await retry(() => cutOverFolder(deps, ref));
    report.flagsChanged = cut.changed;
    if (cut.deleted !== undefined) report.deletedAtCutover = cut.deleted;
    if (cut.deleteSkippedReason) report.deleteSkippedReason = cut.deleteSkippedReason;
  }
  return report;
}
