import type { FolderPassStart } from '../../contracts/engine-types.js';

/** MESSAGES_PER_FOLDER_WORKER's default. */
export const DEFAULT_MESSAGES_PER_FOLDER_WORKER = 500;

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
 * STATUS counts as `perWorker` messages: its size is unknown.
 */
export function folderWorkers(starts: ReadonlyMap<string, FolderPassStart>, folders: number, maxConnections: number, perWorker: number): number {
  let pending = 0;
  for (const s of starts.values()) pending += pendingMessages(s, perWorker);
  pending += (folders - starts.size) * perWorker;
  return Math.max(1, Math.min(maxConnections, Math.ceil(pending / perWorker)));
}
