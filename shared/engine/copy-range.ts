import type { UidRange } from '../domain/ranges/range-planner.js';
import { uidsOf } from '../domain/ranges/uid-set.js';
import { emptyCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { SourceFolders } from '../contracts/imap-ports.js';
import type { MessageMeta } from '../contracts/imap.js';
import { MigrationError } from '../errors/migration-error.js';
import type { EngineDeps } from './engine-deps.js';
import { appendFlags } from './flags.js';
import type { CopyRangeResult, FolderRef } from '../contracts/engine-types.js';
import { fetchBatches } from './copy-range/fetch-batches.js';
import { headerKept } from './copy-range/append-queue.js';
import { RangeLeases, type RangeOutcome } from './copy-range/range-leases.js';
import { RangeProgress } from './copy-range/range-progress.js';
import { RangeDestination } from './copy-range/range-destination.js';
import { passWindow, wantedBy } from './pass-window.js';
import { effectiveControls } from '../domain/controls/read-controls.js';
import { budgetLimits, spendBudget } from './spend-budget.js';

export interface CopyRangeInput extends FolderRef {
  range: UidRange;
}

export type { CopyRangeResult };

/** What a range tells its caller as it goes. */
export interface RangeEvents {
  /** Every body the range copies has arrived from the source: only its APPENDs and records remain. Not told when the range stops early (budget, failure). */
  sourceRead?: () => void;
}

const PIPELINE_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Under a bandwidth cap: the mailbox's cap, and the bytes of one FETCH (a quarter second at the lower cap, at least 64 KiB). */
function pacingOf(mailbox: number | undefined, batch: number): { mailbox?: number; batchBytes: number } | undefined {
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
 */
export async function copyRange(deps: EngineDeps, input: CopyRangeInput, known?: { rows?: readonly MessageMeta[] }, events?: RangeEvents): Promise<CopyRangeResult> {
  const leases = new RangeLeases(deps.pool, input);
  const src = await leases.source();
  let outcome: RangeOutcome = 'broken';
  try {
    const result = await copyLeased(deps, input, leases, src, known?.rows, events);
    outcome = 'ok';
    return result;
  } catch (e) {
    outcome = e instanceof MigrationError && e.errorClass === 'throttled' ? 'throttled' : 'broken';
    throw e;
  } finally {
    leases.release(outcome);
  }
}

/** The range itself, on the connections `leases` lends (the caller gives them back). */
async function copyLeased(deps: EngineDeps, input: CopyRangeInput, leases: RangeLeases, src: SourceFolders, rows: readonly MessageMeta[] | undefined, events: RangeEvents | undefined): Promise<CopyRangeResult> {
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

    let resumesAt: string | undefined;
    try {
      for (const asked of fetchBatches(toFetch, pacing?.batchBytes)) {
        // The mailbox's byte budget is taken before the bodies are asked for, message by message:
        // the range stops before the first message that would exceed it, never in the middle of one.
        const spent = await spendBudget(checkpoints, input.mailbox, asked.map((m) => m.size), budget);
        resumesAt = spent.resumesAt;
        const batch = spent.take < asked.length ? asked.slice(0, spent.take) : asked;
        if (batch.length === 0) break;
        // Under a cap each FETCH waits for its bytes first (the mailbox's and the batch's buckets,
        // shared by all their connections) and asks for at most a quarter second's worth: the source
        // sends at the cap, and the APPENDs follow at the pace the bodies arrive.
        if (pacing) await deps.bandwidth?.consume(input.mailbox, pacing.mailbox, batch.reduce((n, m) => n + m.size, 0));
        const fetched = new Set<number>();
        for await (const msg of src.fetchSources(batch.map((m) => m.uid).join(','))) {
          const { appender, selected, retryWindow, queue } = await destination.ready();
          fetched.add(msg.uid);
          const there = retryWindow.copies.claim(msg.source);
          if (there !== undefined) {
            progress.alreadyPresent(msg.uid, there);
            queue.pushPresent(msg.uid);
          } else {
            const { flags, dropped } = appendFlags(msg.flags, selected.permanentFlags);
            const queued = { uid: msg.uid, size: msg.source.length, dropped, source: headerKept(msg.source) };
            await progress.beforeAppend();
            // A NUL byte needs a literal8 (imapflow knows how), and a very large message is sent
            // alone so its bytes are not held twice (queue + socket buffer); the rest is pipelined.
            if (appender && msg.source.length <= PIPELINE_MAX_MESSAGE_BYTES && !msg.source.includes(0)) {
              queue.push({ ...queued, appended: appender.append(input.destinationPath, msg.source, flags, msg.internalDate) });
            } else {
              await queue.drain();
              queue.push({ ...queued, appended: (await leases.destination()).append(input.destinationPath, msg.source, flags, msg.internalDate) });
              await queue.drain();
            }
          }
          await queue.relieve();
        }
        // Listed by the metadata FETCH, gone by the body FETCH: expunged at the source meanwhile.
        progress.vanished(batch.length - fetched.size);
        // The next FETCH goes out while this batch's APPENDs are still on their way (waiting for
        // them here left the source idle for the destination's last round trip, and TCP's window
        // shrinks on an idle connection).
        (await destination.ready()).queue.passed(batch[batch.length - 1]!.uid);
        if (resumesAt) break;
      }
      if (!resumesAt) events?.sourceRead?.();
      const { queue } = await destination.ready();
      await queue.drain();
      // Paused by the budget: what was copied is settled (the window stays on record, so the
      // range copied again later compares instead of appending twice) and the rest waits.
      if (resumesAt) progress.interrupted(queue.done);
      else progress.complete();
    } catch (e) {
      // The destination never got ready: nothing was appended, and nothing is saved (as when its SELECT came first).
      const side = destination.held;
      if (!side) throw e;
      progress.interrupted(side.queue.done);
      throw e;
    } finally {
      const side = destination.held;
      if (side) await progress.save(side.selected.uidValidity);
    }
    return resumesAt ? { ...progress.result, status: 'budget-paused', resumesAt, lastUid: progress.cp.lastUid } : progress.result;
  } finally {
    await destination.settle();
  }
}
