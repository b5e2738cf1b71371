import { emptyCheckpoint, type FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { FolderReport } from '../contracts/report.js';
import type { EngineDeps } from './engine-deps.js';
import { planFolderPage } from './plan-folder.js';
import type { FolderPassStart, FolderPlanPage, FolderRef } from '../contracts/engine-types.js';
import type { FolderStatus } from '../adapters/imap/imap-session.js';
import { folderRef } from '../contracts/mailbox-pair.js';

export type { FolderPassStart, FolderRef };

export const RANGES_PER_PAGE = 50;
/** Folders per pipelined STATUS round (folderStatuses). */
const STATUS_ROUND = 200;

/**
 * STATUS of many source folders on one session, pipelined in rounds of STATUS_ROUND; no round
 * starts after `untilMs`. A folder left out (refused, or a round that failed) is asked again,
 * and a failure reported, by its own pass (beginFolderPass without a known status).
 */
export async function folderStatuses(deps: EngineDeps, sourceEmail: string, paths: readonly string[], untilMs = Number.POSITIVE_INFINITY): Promise<Map<string, FolderStatus>> {
  const out = new Map<string, FolderStatus>();
  for (let i = 0; i < paths.length && Date.now() <= untilMs; i += STATUS_ROUND) {
    const got = await deps.pool.withFolders('source', sourceEmail, (s) => s.statusMany(paths.slice(i, i + STATUS_ROUND))).catch(() => new Map<string, FolderStatus>());
    for (const [path, status] of got) out.set(path, status);
  }
  return out;
}

export { folderRef };

/**
 * Starts a pass over one folder with a single STATUS. Same UIDVALIDITY, UIDNEXT and message
 * count as the last completed pass → unchanged. A new UIDVALIDITY (RFC 3501 §2.3.1.1) voids the
 * old UIDs: the folder is re-planned from UID 1 and every range is compared with the whole
 * destination folder, so nothing already copied is appended again.
 */
export async function beginFolderPass(deps: EngineDeps, ref: FolderRef, known?: FolderStatus): Promise<FolderPassStart> {
  const status = known ?? (await deps.pool.withFolders('source', ref.sourceEmail, (s) => s.status(ref.sourcePath)));
  let cp = await deps.checkpoints.get(ref.mailbox, ref.sourcePath);
  const last = cp?.lastStatus;
  if (cp && last && !cp.inFlight && last.uidValidity === status.uidValidity && last.uidNext === status.uidNext && last.messages === status.messages) {
    return { unchanged: true, status, afterUid: cp.lastUid };
  }
  if (!cp || cp.uidValidity !== status.uidValidity) {
    const fresh = emptyCheckpoint(ref.sourcePath, ref.destinationPath, status.uidValidity, new Date().toISOString());
    if (cp) {
      fresh.dedupeFromDestUid = 1;
      // The old source UIDs mean nothing now: start a new UID map (a new epoch line voids the old pairs).
      await deps.checkpoints.appendUidMap(ref.mailbox, ref.sourcePath, `void-${status.uidValidity}`, [[0, 0]]);
    }
    cp = fresh;
    await deps.checkpoints.put(ref.mailbox, cp);
  }
  return { unchanged: false, status, afterUid: cp.lastUid };
}

export function planNextRanges(deps: EngineDeps, ref: FolderRef, afterUid: number): Promise<FolderPlanPage> {
  const { settings } = deps;
  const limits = { maxMessages: settings.rangeMaxMessages, maxBytes: settings.rangeMaxBytes, maxMessageBytes: settings.maxMessageBytes };
  return deps.pool.withFolders('source', ref.sourceEmail, (s) => planFolderPage(s, ref.sourcePath, afterUid, limits, RANGES_PER_PAGE));
}

/** Records the STATUS the pass started from and returns the folder's report from the ledger. */
export async function finishFolderPass(deps: EngineDeps, ref: FolderRef, start: FolderPassStart, copiedThisPass: number): Promise<FolderReport & { state: 'copied' | 'unchanged' }> {
  const cp: FolderCheckpoint = (await deps.checkpoints.get(ref.mailbox, ref.sourcePath)) ?? emptyCheckpoint(ref.sourcePath, ref.destinationPath, start.status.uidValidity, new Date().toISOString());
  if (!start.unchanged) {
    delete cp.dedupeFromDestUid;
    cp.lastStatus = { messages: start.status.messages, uidNext: start.status.uidNext, uidValidity: start.status.uidValidity };
    cp.updatedAt = new Date().toISOString();
    await deps.checkpoints.put(ref.mailbox, cp);
  }
  const state = start.unchanged ? 'unchanged' : 'copied';
  return { ...folderReport(ref, cp, state, start.status.messages, copiedThisPass), state };
}

export function folderReport(ref: FolderRef, cp: FolderCheckpoint | undefined, state: FolderReport['state'], messagesAtSource: number, copiedThisPass: number, error?: { code: string; message: string }): FolderReport {
  return {
    sourcePath: ref.sourcePath,
    destinationPath: ref.destinationPath,
    state,
    messagesAtSource,
    copied: cp?.copied ?? 0,
    copiedBytes: cp?.copiedBytes ?? 0,
    alreadyPresent: cp?.alreadyPresent ?? 0,
    skippedCount: cp?.skippedCount ?? 0,
    failedCount: cp?.failedCount ?? 0,
    droppedKeywords: cp?.droppedKeywords ?? 0,
    skipped: cp?.skipped ?? [],
    failed: cp?.failed ?? [],
    copiedThisPass,
    ...(error ? { error } : {}),
  };
}
