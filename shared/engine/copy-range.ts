import { uidsOf } from '../domain/ranges/uid-set.js';
import { emptyCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { SourceFolders } from '../contracts/imap-ports.js';
import type { MessageMeta } from '../contracts/imap.js';
import type { EngineDeps } from './engine-deps.js';
import type { CopyRangeResult } from '../contracts/engine-types.js';
import { failedWith, RangeLeases, type RangeOutcome } from './copy-range/range-leases.js';
import { RangeProgress } from './copy-range/range-progress.js';
import { RangeDestination } from './copy-range/range-destination.js';
import { passWindow, wantedBy } from './pass-window.js';
import { effectiveControls } from '../domain/controls/read-controls.js';
import { budgetLimits } from './spend-budget.js';
import { copyRuns } from './copy-range/copy-runs.js';
import type { Pacing } from './copy-range/copy-lane.js';
import type { CopyRangeInput, RangeContext } from './copy-range/range-input.js';

export type { CopyRangeInput, CopyRangeResult, RangeContext };

/** Under a bandwidth cap: the mailbox's cap, and the bytes of one FETCH (a quarter second at the lower cap, at least 64 KiB). */
function pacingOf(mailbox: number | undefined, batch: number): Pacing | undefined {
  const caps = [mailbox ?? 0, batch].filter((c) => c > 0);
  if (caps.length === 0) return undefined;
  return { ...(mailbox ? { mailbox } : {}), batchBytes: Math.max(64 * 1024, Math.floor(Math.min(...caps) / 4)) };
}

/**
 * Copies one bounded UID range of one folder, idempotently:
 * - UIDs at or below the checkpoint's lastUid are never copied again;
 * - before the first APPEND the checkpoint records the destination's UIDNEXT (inFlight), so a
 *   retry after a crash, a dropped connection or a lost tagged OK compares the source messages
 *   with what was appended since then (multiset of fingerprints) and appends only the rest.
 * Permanent per-message refusals are recorded and the range goes on; connection-level errors
 * throw (classified) after saving the progress made. `known.rows`: the range's metadata as the
 * plan just read it in this process (planNextRangesWithRows); its own metadata FETCH is then skipped.
 * With `context.lanes`, idle workers lent copy consecutive runs of the range beside its own
 * connections (range-lanes.ts): one window and one multiset for all, the checkpoint moved to the
 * prefix every lane has settled.
 */
export async function copyRange(deps: EngineDeps, input: CopyRangeInput, known?: { rows?: readonly MessageMeta[] }, context?: RangeContext): Promise<CopyRangeResult> {
  const leases = new RangeLeases(deps.pool, input);
  const src = await leases.source();
  let outcome: RangeOutcome = 'broken';
  try {
    const result = await copyLeased(deps, input, leases, src, known?.rows, context);
    outcome = 'ok';
    return result;
  } catch (e) {
    outcome = failedWith(e);
    throw e;
  } finally {
    leases.release(outcome);
  }
}

/** The range itself, on the connections `leases` lends (the caller gives them back). */
async function copyLeased(deps: EngineDeps, input: CopyRangeInput, leases: RangeLeases, src: SourceFolders, rows: readonly MessageMeta[] | undefined, context: RangeContext | undefined): Promise<CopyRangeResult> {
  const { checkpoints, settings } = deps;
  const srcSel = await src.select(input.sourcePath, true);
  const stored = await checkpoints.get(input.mailbox, input.sourcePath);
  if (stored && stored.uidValidity !== srcSel.uidValidity) return { status: 'uidvalidity-changed', uidValidity: srcSel.uidValidity };
  const window = passWindow(deps, input);
  const pacing = pacingOf(effectiveControls(settings.controls, input.controls).maxBytesPerSecond, settings.batchBytesPerSecond);
  const progress = new RangeProgress(checkpoints, input, stored ?? emptyCheckpoint(input.sourcePath, input.destinationPath, srcSel.uidValidity, new Date().toISOString()), input.range, window);
  if (progress.nothingLeft) return progress.result;

  const { from } = progress;
  // Outside the pass's date window, or copied by an earlier range (a wider window's pass copies only the rest): left alone.
  const wanted = wantedBy(progress.cp, window);
  // A range naming its UIDs (the \All view's archived-only messages) copies only those.
  const only = input.range.uids === undefined ? undefined : uidsOf(input.range.uids);
  // The source's metadata (unless the plan just read it) and the destination's SELECT are on
  // different connections: asked together, one round trip instead of two on a far server.
  const listed = rows ? Promise.resolve(rows) : src.fetchMeta(`${from}:${input.range.toUid}`);
  listed.catch(() => undefined); // awaited below; not unhandled while the destination answers
  // The destination side goes on while the first bodies are asked for (range-destination.ts); what
  // is too large is reported once it is ready (after the window's record, as before).
  let metas: MessageMeta[] = [];
  const destination = new RangeDestination(deps, input, leases, progress, () => progress.skipTooLarge(metas, settings.maxMessageBytes));
  try {
    metas = (await listed).filter((m) => m.uid >= from && m.uid <= input.range.toUid && wanted(m) && (only === undefined || only.has(m.uid))).sort((a, b) => a.uid - b.uid);
    const toFetch = metas.filter((m) => m.size <= settings.maxMessageBytes);

    // Under a byte budget the destination is known ready first: a range whose destination fails
    // does not spend the mailbox's budget on bodies it cannot place.
    const budget = budgetLimits(deps, input);
    if (budget.bytesPerWindow > 0) await destination.ready();
    let giveBack: (() => void) | undefined;
    try {
      const ended = await copyRuns(deps, input, progress, destination, { src, leases, uidValidity: srcSel.uidValidity }, toFetch, { budget, ...(pacing ? { pacing } : {}) }, context);
      giveBack = ended.giveBack;
      if (ended.failure) {
        // The destination never got ready: nothing was appended, and nothing is saved (as when its SELECT came first).
        // Else lanes may have settled messages past the prefix: their pairs are in the map, and the
        // window (still on record) lets the retry find them.
        if (destination.held) progress.interrupted(ended.settled());
        throw ended.failure.error;
      }
      // Paused by the budget: what was copied is settled (the window stays on record, so the
      // range copied again later compares instead of appending twice) and the rest waits.
      if (ended.resumesAt) {
        progress.interrupted(ended.settled());
        return { ...progress.result, status: 'budget-paused', resumesAt: ended.resumesAt, lastUid: progress.cp.lastUid };
      }
      progress.complete();
      return progress.result;
    } finally {
      const side = destination.held;
      if (side) await progress.save(side.selected.uidValidity);
      giveBack?.();
    }
  } finally {
    await destination.settle();
  }
}
