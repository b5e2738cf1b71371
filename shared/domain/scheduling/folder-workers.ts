import type { FolderPassStart } from '../../contracts/engine-types.js';

/** MESSAGES_PER_FOLDER_WORKER's default. */
export const DEFAULT_MESSAGES_PER_FOLDER_WORKER = 500;

/**
 * From this round trip (ms) on, a server is far: every folder with something to copy is worth a
 * worker of its own. A folder's pass is a chain of about seven round trips whatever its size
 * (select both sides, plan, fetch, append, record), ~0.4 s at 60 ms — as long as copying a few
 * hundred messages takes — so folders side by side hide each other's chains. On a near server
 * a worker's login costs more than the chain it hides. Not lower: the round trip is measured as
 * a connect's time in this process, and on a loaded two-core machine a loopback connect was seen
 * to take up to ~5 ms (the event loop busy with other logins' TLS); under 10 ms a mailbox's
 * whole chain of about ten round trips costs under a tenth of a second.
 */
export const FAR_ROUND_TRIP_MS = 10;

/** Messages a folder's pass may have to copy, by the STATUS it answered (`perWorker` when unknown). */
export function pendingMessages(start: FolderPassStart | undefined, perWorker: number): number {
  if (!start) return perWorker;
  if (start.unchanged) return 0;
  return Math.max(0, Math.min(start.status.messages, start.status.uidNext - 1 - start.afterUid));
}

/**
 * How many folders of one mailbox to copy at once: one per `perWorker` messages the pass may
 * have to copy (by the STATUS each folder already answered), up to `maxConnections`. Each
 * worker costs a connection pair, so a login each (round trips, the server's CPU, two of
 * Exchange's ~20 connections per mailbox); a mailbox of a few hundred messages goes as fast
 * over one pipelined pair, and a batch already runs many mailboxes at once. A folder without a
 * STATUS counts as `perWorker` messages: its size is unknown. With `roundTripMs` at or over
 * FAR_ROUND_TRIP_MS, a folder with anything to copy counts as at least `perWorker`.
 */
export function folderWorkers(starts: ReadonlyMap<string, FolderPassStart>, folders: number, maxConnections: number, perWorker: number, roundTripMs = 0): number {
  const far = roundTripMs >= FAR_ROUND_TRIP_MS;
  let pending = 0;
  for (const s of starts.values()) {
    const p = pendingMessages(s, perWorker);
    pending += far && p > 0 ? Math.max(p, perWorker) : p;
  }
  pending += (folders - starts.size) * perWorker;
  return Math.max(1, Math.min(maxConnections, Math.ceil(pending / perWorker)));
}
