import type { MessageMeta } from '../../contracts/imap.js';
import type { SourceFolders } from '../../contracts/imap-ports.js';
import type { EngineDeps } from '../engine-deps.js';
import { appendFlags } from '../flags.js';
import { spendBudget, type budgetLimits } from '../spend-budget.js';
import { fetchBatches } from './fetch-batches.js';
import { headerKept } from './append-queue.js';
import type { RangeLeases } from './range-leases.js';
import type { RangeProgress } from './range-progress.js';
import type { DestinationSide } from './range-destination.js';
import type { CopyRangeInput } from './range-input.js';

const PIPELINE_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** One lane of a range: its connections, its destination side once ready, and its run of the range's messages. */
export interface Lane {
  src: SourceFolders;
  leases: RangeLeases;
  /** Where the lane appends: the range's folder and retry window (one multiset of copies for every lane), its own queue. */
  side: () => Promise<DestinationSide>;
  messages: readonly MessageMeta[];
}

/** Shared by a range's lanes: once one has failed, the others send nothing more. */
export interface LaneRun {
  stopped: boolean;
}

/** A bandwidth cap's pacing: the mailbox's cap, and the bytes of one FETCH. */
export interface Pacing {
  mailbox?: number;
  batchBytes: number;
}

export interface LaneLimits {
  budget: ReturnType<typeof budgetLimits>;
  /** Under a bandwidth cap: the mailbox's cap and the bytes of one FETCH. */
  pacing?: Pacing;
}

/**
 * Reads one lane's bodies, batch by batch, and queues their APPENDs (its queue is drained by the
 * caller). The mailbox's byte budget is taken before each batch is asked for, message by message:
 * the lane stops before the first message that would exceed it, never in the middle of one.
 * Returns when the budget's next window opens if it stopped for it. `onRead`: told when the
 * lane's last FETCH has been answered (the bodies it holds may still be queued), not when the
 * lane stops early.
 */
export async function copyLane(deps: EngineDeps, input: CopyRangeInput, progress: RangeProgress, lane: Lane, limits: LaneLimits, run: LaneRun, onRead?: () => void): Promise<string | undefined> {
  const { checkpoints } = deps;
  const { budget, pacing } = limits;
  let resumesAt: string | undefined;
  const batches = [...fetchBatches(lane.messages, pacing?.batchBytes)];
  for (const [i, asked] of batches.entries()) {
    if (run.stopped) break;
    const spent = await spendBudget(checkpoints, input.mailbox, asked.map((m) => m.size), budget);
    resumesAt = spent.resumesAt;
    const batch = spent.take < asked.length ? asked.slice(0, spent.take) : asked;
    if (batch.length === 0) break;
    // The lane's last FETCH, whole: once it is answered the lane needs its source no more.
    const last = i === batches.length - 1 && !resumesAt;
    // Under a cap each FETCH waits for its bytes first (the mailbox's and the batch's buckets,
    // shared by all their connections) and asks for at most a quarter second's worth: the source
    // sends at the cap, and the APPENDs follow at the pace the bodies arrive.
    if (pacing) await deps.bandwidth?.consume(input.mailbox, pacing.mailbox, batch.reduce((n, m) => n + m.size, 0));
    const fetched = new Set<number>();
    for await (const msg of lane.src.fetchSources(batch.map((m) => m.uid).join(','), last ? onRead : undefined)) {
      // Another lane failed: this one leaves its FETCH (the connection is not used again) and appends nothing more.
      if (run.stopped) break;
      const { appender, selected, retryWindow, queue } = await lane.side();
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
          queue.push({ ...queued, appended: (await lane.leases.destination()).append(input.destinationPath, msg.source, flags, msg.internalDate) });
          await queue.drain();
        }
      }
      await queue.relieve();
    }
    if (run.stopped) break;
    // Listed by the metadata FETCH, gone by the body FETCH: expunged at the source meanwhile.
    progress.vanished(batch.length - fetched.size);
    // The next FETCH goes out while this batch's APPENDs are still on their way (waiting for
    // them here left the source idle for the destination's last round trip, and TCP's window
    // shrinks on an idle connection).
    (await lane.side()).queue.passed(batch[batch.length - 1]!.uid);
    if (resumesAt) break;
  }
  return resumesAt;
}
