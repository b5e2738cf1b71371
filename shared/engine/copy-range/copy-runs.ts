import type { MessageMeta } from '../../contracts/imap.js';
import type { SourceFolders } from '../../contracts/imap-ports.js';
import type { EngineDeps } from '../engine-deps.js';
import type { CopyRangeInput, RangeContext } from './range-input.js';
import { copyLane, type Lane, type LaneLimits, type LaneRun } from './copy-lane.js';
import { ExtraLane } from './extra-lane.js';
import { extraLanesWanted, settledPrefix, splitLanes, type LaneSpan } from './range-lanes.js';
import { handsOverWhenRead } from './hand-over.js';
import type { RangeDestination } from './range-destination.js';
import { failedWith, type RangeLeases, type RangeOutcome } from './range-leases.js';
import type { RangeProgress } from './range-progress.js';

/** How the range's lanes ended: the budget's next window (one lane only runs under a budget), the first failure, and the UID up to which all of them settled. */
export interface RunsEnded {
  resumesAt?: string;
  failure?: { error: unknown };
  settled: () => number;
}

/** The range's own connections: its first lane's. */
export interface OwnLane {
  src: SourceFolders;
  leases: RangeLeases;
  /** The source folder's UIDVALIDITY as the range selected it: every lane must see the same. */
  uidValidity: string;
}

/**
 * Copies `toFetch` over the range's own lane and as many more as the mailbox lends
 * (`context.lanes`, none under a budget or a cap): consecutive runs, all started at once, each
 * lane's queue drained before it ends. One lane failing stops the others (they send nothing
 * more), and all have ended — their connections given back — when this returns. Borrowed workers
 * are given back by `giveBack()` once the caller has saved the range.
 */
export async function copyRuns(deps: EngineDeps, input: CopyRangeInput, progress: RangeProgress, destination: RangeDestination, own: OwnLane, toFetch: readonly MessageMeta[], limits: LaneLimits, context: RangeContext | undefined): Promise<RunsEnded & { giveBack: () => void }> {
  // Lanes only where nothing meters the bytes: a budget or a cap paces one lane as it is.
  const metered = limits.budget.bytesPerWindow > 0 || limits.pacing !== undefined;
  const offered = metered || !context?.lanes ? 0 : context.lanes.borrow(extraLanesWanted(toFetch));
  const runs = splitLanes(toFetch, 1 + offered);
  context?.lanes?.giveBack(offered - (runs.length - 1));
  const first = () => destination.ready();
  // The UID before each run's first: the previous run's last (the first run's, the range's start - 1).
  const before = (k: number): number => (k === 0 ? progress.from - 1 : runs[k - 1]!.at(-1)!.uid);
  const extra = runs.slice(1).map((_, k) => new ExtraLane(deps, input, progress, first, before(k + 1)));
  const spans: LaneSpan[] = runs.map((r, k) => ({
    before: before(k),
    last: r.at(-1)?.uid ?? before(k),
    done: () => (k === 0 ? (destination.held?.queue.done ?? progress.from - 1) : extra[k - 1]!.done),
  }));
  const ended: RunsEnded = { settled: () => settledPrefix(spans) };
  const run: LaneRun = { stopped: false };
  // A small range hands its worker on once read; a larger one's folder frees it when its APPENDs are answered.
  const handsOver = context?.freeWorker !== undefined && handsOverWhenRead(toFetch);
  let reading = runs.length;
  const copyRun = async (k: number): Promise<void> => {
    const lent = k === 0 ? undefined : extra[k - 1]!;
    let outcome: RangeOutcome = 'broken';
    try {
      // A lane's APPEND connection is readied while its source is asked for the folder: both are round trips away.
      lent?.side().catch(() => undefined);
      const lane: Lane = lent ? { src: await lent.source(own.uidValidity), leases: lent.leases, side: () => lent.side(), messages: runs[k]! } : { src: own.src, leases: own.leases, side: first, messages: runs[0]! };
      let read = false;
      const laneRead = (): void => {
        if (read || run.stopped) return;
        read = true;
        // The range's last bodies have arrived from the source: only their APPENDs and records
        // remain. Its source connections go back now, whole (every FETCH answered), for what comes next.
        if (--reading > 0) return;
        own.leases.releaseSource();
        for (const x of extra) x.leases.releaseSource();
        // The worker goes on once the APPEND connections are in hand: a small folder's FETCH is
        // answered before its destination is ready, and the next folder would then find none to
        // wait for and log in another. (A destination that fails ends the range: the folder then frees it.)
        void Promise.all([first(), ...extra.map((x) => x.side())]).then(
          () => {
            if (run.stopped) return;
            if (handsOver) for (const l of [own.leases, ...extra.map((x) => x.leases)]) l.handOver();
            context?.sourceRead?.();
            if (handsOver) context?.freeWorker?.();
          },
          () => undefined,
        );
      };
      const paused = await copyLane(deps, input, progress, lane, limits, run, laneRead);
      if (paused) ended.resumesAt = paused;
      // A lane with nothing to fetch (every message vanished from its FETCH) has read too.
      else laneRead();
      const side = await lane.side();
      await side.queue.drain();
      // The folder's closing STATUS, on the connection that appended, before it goes on to the next
      // folder: no other connection is taken for it. Not sent with the last APPENDs (a server may
      // run a STATUS beside APPENDs still in progress, RFC 3501 §5.5; Dovecot does). Only where one
      // lane appended everything (else it would not be known to follow every APPEND).
      if (!paused && runs.length === 1 && context?.closingStatus && side.appender?.status) {
        const status = await side.appender.status(input.destinationPath).catch(() => undefined);
        if (status && progress.answeredAfterStores(status, side.selected.uidValidity)) context.closingStatus(status);
      }
      outcome = 'ok';
    } catch (e) {
      run.stopped = true;
      ended.failure ??= { error: e };
      outcome = failedWith(e);
    } finally {
      // The range's own connections are given back by the range.
      lent?.release(outcome);
    }
  };
  await Promise.all(runs.map((_, k) => copyRun(k)));
  return { ...ended, giveBack: () => context?.lanes?.giveBack(runs.length - 1) };
}
