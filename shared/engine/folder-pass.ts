import { emptyCheckpoint, type FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { FolderReport } from '../contracts/report.js';
import type { EngineDeps } from './engine-deps.js';
import { planFolderPage, type PlannedPage } from './plan-folder.js';
import { archivedOnlyFilter } from './all-mail/archived-only.js';
import type { FolderPassStart, FolderPlanPage, FolderRef } from '../contracts/engine-types.js';
import type { FolderStatus, ImapSite, ListedFolder } from '../contracts/imap.js';
import { destinationRecord, destinationRepair, type DestinationSeen } from '../domain/checkpoints/destination-repair.js';
import { MigrationError } from '../errors/migration-error.js';
import { MAILBOX_FATAL } from '../contracts/error-codes.js';
import { folderRef } from '../contracts/mailbox-pair.js';
import { coverageHolds, plannedAfter, recordCoverage } from '../domain/checkpoints/window-coverage.js';
import { isOpenWindow } from '../domain/controls/date-window.js';
import { passWindow, wantedBy } from './pass-window.js';

export type { FolderPassStart, FolderRef };

export const RANGES_PER_PAGE = 50;
/** Folders per pipelined STATUS round (folderStatuses). */
export const STATUS_ROUND = 200;

/** The STATUS answers a listing carried (path → status; LIST-STATUS, or asked behind the LIST). */
export const listedStatuses = (folders: readonly ListedFolder[]): Map<string, FolderStatus> => new Map(folders.flatMap((f) => (f.status ? [[f.path, f.status] as const] : [])));

/**
 * STATUS of many folders of one side on one session, pipelined in rounds of STATUS_ROUND; no round
 * starts after `untilMs`. A folder left out (refused, or a round that failed) is asked again,
 * and a failure reported, by its own pass (beginFolderPass without a known status).
 */
export async function folderStatuses(deps: EngineDeps, email: string, paths: readonly string[], untilMs = Number.POSITIVE_INFINITY, site: ImapSite = 'source'): Promise<Map<string, FolderStatus>> {
  const out = new Map<string, FolderStatus>();
  for (let i = 0; i < paths.length && Date.now() <= untilMs; i += STATUS_ROUND) {
    const round = paths.slice(i, i + STATUS_ROUND);
    const got = await (site === 'source' ? deps.pool.withFolders('source', email, (s) => s.statusMany(round)) : deps.pool.withFolders('destination', email, (d) => d.statusMany(round))).catch(() => new Map<string, FolderStatus>());
    for (const [path, status] of got) out.set(path, status);
  }
  return out;
}

export { folderRef };

/**
 * Starts a pass over one folder with a single STATUS. Same UIDVALIDITY, UIDNEXT and message
 * count as the last completed pass, and a destination folder that still holds what we put there
 * → unchanged. A new UIDVALIDITY (RFC 3501 §2.3.1.1) voids the old UIDs: the folder is re-planned
 * from UID 1 and every range is compared with the whole destination folder, so nothing already
 * copied is appended again. Without a checkpoint, a destination folder that already holds
 * messages is reconciled the same way (one destination STATUS; an empty or missing folder costs
 * nothing more). A destination folder deleted, recreated or emptied since the last pass is
 * repaired: re-planned from UID 1 against what it holds now, so only what is missing is appended.
 * `destination`: the destination folder's STATUS when the caller took it (one round per mailbox);
 * else it is asked here, for a folder whose last pass recorded one.
 */
export async function beginFolderPass(deps: EngineDeps, ref: FolderRef, known?: FolderStatus, destination?: DestinationSeen): Promise<FolderPassStart> {
  const status = known ?? (await deps.pool.withFolders('source', ref.sourceEmail, (s) => s.status(ref.sourcePath)));
  let cp = await deps.checkpoints.get(ref.mailbox, ref.sourcePath);
  const seen = cp?.destination && cp.uidValidity === status.uidValidity ? (destination ?? (await seeDestination(deps, ref))) : undefined;
  const repair = destinationRepair(cp?.destination, seen);
  const last = cp?.lastStatus;
  const window = passWindow(deps, ref);
  // A window wider than what earlier passes copied leaves dates below lastUid to copy: not unchanged.
  if (cp && last && !repair && !cp.inFlight && coverageHolds(cp, window) && last.uidValidity === status.uidValidity && last.uidNext === status.uidNext && last.messages === status.messages) {
    // A ledger from before destination records: recorded from now on.
    if (!cp.destination && destination) await deps.checkpoints.put(ref.mailbox, { ...cp, destination: destinationRecord(cp, destination.status) });
    return { unchanged: true, status, afterUid: cp.lastUid };
  }
  let found = seen ?? destination;
  if (!cp || cp.uidValidity !== status.uidValidity || repair) {
    const fresh = emptyCheckpoint(ref.sourcePath, ref.destinationPath, status.uidValidity, new Date().toISOString());
    const dest = repair ? seen!.status : cp ? 'missing' : (destination?.status ?? (await destinationStatus(deps, ref)));
    if (!found && typeof dest !== 'string') found = { status: dest };
    // No ledger, yet the destination holds messages (a lost ledger, another STATE_DIR), or a
    // repair: the destination is the truth. Compare with what it holds now; what this pass appends is ours.
    if (dest === 'refused') fresh.reconcile = { destUidValidity: '', belowUid: Number.MAX_SAFE_INTEGER };
    else if (dest !== 'missing' && dest.messages > 0) fresh.reconcile = { destUidValidity: dest.uidValidity, belowUid: dest.uidNext };
    if (repair) fresh.repair = repair;
    if ((cp && !repair) || fresh.reconcile) fresh.dedupeFromDestUid = 1;
    if (cp || fresh.reconcile) {
      // Old UID pairs (another source epoch, another destination folder, or a lost ledger's) must not count: a new epoch line voids them.
      await deps.checkpoints.appendUidMap(ref.mailbox, ref.sourcePath, `void-${status.uidValidity}`, [[0, 0]]);
    }
    cp = fresh;
    await deps.checkpoints.put(ref.mailbox, cp);
  }
  // An empty source folder's pass appends nothing: it ends with the destination as found here (finishFolderPass).
  return { unchanged: false, status, afterUid: plannedAfter(cp, window), ...(status.messages === 0 && found ? { destination: found.status } : {}) };
}

/**
 * The destination folder as this pass finds it, asked alone (no pipelined round was taken): one
 * STATUS; a folder gone is created again (its pass appends into it). Undefined when the server
 * refuses to say: the folder's pass goes on as the ledger says.
 */
async function seeDestination(deps: EngineDeps, ref: FolderRef): Promise<DestinationSeen | undefined> {
  const dest = await destinationStatus(deps, ref);
  if (dest === 'refused') return undefined;
  if (dest !== 'missing') return { status: dest };
  return deps.pool.withFolders('destination', ref.destinationEmail, async (d) => {
    await d.createFolder(ref.destinationPath);
    return { status: await d.status(ref.destinationPath), created: true };
  });
}

/**
 * The destination folder's STATUS; 'missing' when it does not exist (nothing to reconcile with);
 * 'refused' when the server says no without saying why (Dovecot gives no NONEXISTENT code to
 * STATUS): then every range is compared with whatever the folder holds — nothing, if it is missing.
 */
async function destinationStatus(deps: EngineDeps, ref: FolderRef): Promise<FolderStatus | 'missing' | 'refused'> {
  try {
    return await deps.pool.withFolders('destination', ref.destinationEmail, (s) => s.status(ref.destinationPath));
  } catch (e) {
    if (e instanceof MigrationError && e.code === 'FOLDER_NOT_FOUND') return 'missing';
    if (e instanceof MigrationError && e.errorClass === 'permanent' && !MAILBOX_FATAL.includes(e.code)) return 'refused';
    throw e;
  }
}

/** `expect`: the folder's STATUS this pass began from, when planning its first page (a small folder is then looked at in one round trip). */
export async function planNextRanges(deps: EngineDeps, ref: FolderRef, afterUid: number, expect?: FolderStatus): Promise<FolderPlanPage> {
  const planned = await planNextRangesWithRows(deps, ref, afterUid, expect);
  delete planned.rows;
  return planned;
}

/**
 * planNextRanges for a caller in the same process (the command line's copyFolder): the page,
 * and the metadata rows it was planned from when one FETCH gave all of them, for copyRange to
 * use instead of asking again. An activity's output never carries rows (planNextRanges).
 */
export async function planNextRangesWithRows(deps: EngineDeps, ref: FolderRef, afterUid: number, expect?: FolderStatus): Promise<PlannedPage> {
  const { settings } = deps;
  const limits = { maxMessages: settings.rangeMaxMessages, maxBytes: settings.rangeMaxBytes, maxMessageBytes: settings.maxMessageBytes };
  // Only messages in the pass's window that no earlier range covered are planned.
  const wanted = wantedBy(await deps.checkpoints.get(ref.mailbox, ref.sourcePath), passWindow(deps, ref));
  if (ref.archivedOnly) {
    // The \All view: plan only what no other folder holds (labels or fingerprints: a full session).
    return deps.pool.with('source', ref.sourceEmail, (reader) =>
      planFolderPage(reader, ref.sourcePath, afterUid, limits, RANGES_PER_PAGE, wanted, archivedOnlyFilter(reader, ref.sourcePath, deps.decodeHeaderWords)),
    );
  }
  return deps.pool.withFolders('source', ref.sourceEmail, (s) => planFolderPage(s, ref.sourcePath, afterUid, limits, RANGES_PER_PAGE, wanted, undefined, expect));
}

/**
 * Records the STATUS the pass started from, and the destination folder as the pass leaves it (one
 * destination STATUS, or `destinationNow` when the last range asked it on its APPEND connection) so
 * that a later pass notices a folder deleted, recreated or emptied there;
 * returns the folder's report from the ledger.
 */
export async function finishFolderPass(deps: EngineDeps, ref: FolderRef, start: FolderPassStart, copiedThisPass: number, destinationNow?: FolderStatus): Promise<FolderReport & { state: 'copied' | 'unchanged' }> {
  const cp: FolderCheckpoint = (await deps.checkpoints.get(ref.mailbox, ref.sourcePath)) ?? emptyCheckpoint(ref.sourcePath, ref.destinationPath, start.status.uidValidity, new Date().toISOString());
  const reconciled = cp.reconcile !== undefined;
  const repaired = cp.repair;
  if (!start.unchanged) {
    delete cp.dedupeFromDestUid;
    delete cp.reconcile;
    delete cp.repair;
    cp.lastStatus = { messages: start.status.messages, uidNext: start.status.uidNext, uidValidity: start.status.uidValidity };
    // Under a date window the pass planned every UID below the UIDNEXT it started from: all of
    // them are settled for its window, copied or not (a folder with nothing in the window too).
    const window = passWindow(deps, ref);
    if (cp.coverage || !isOpenWindow(window)) {
      recordCoverage(cp, plannedAfter(cp, window) + 1, start.status.uidNext - 1, window);
      cp.lastUid = Math.max(cp.lastUid, start.status.uidNext - 1);
    }
    // An empty source folder: no range ran, nothing was appended (not even by an attempt that
    // failed and whose copies a retry then found, which copiedThisPass does not count), so the
    // destination folder is as this pass found it. One STATUS round trip less per empty folder.
    // `destinationNow`: asked by the last range once its last APPEND was answered (copyFolder), as good as asked here.
    const dest = start.status.messages === 0 && start.destination ? start.destination : (destinationNow ?? (await destinationStatus(deps, ref)));
    if (dest !== 'missing' && dest !== 'refused') cp.destination = destinationRecord(cp, dest);
    else delete cp.destination;
    cp.updatedAt = new Date().toISOString();
    await deps.checkpoints.put(ref.mailbox, cp);
  }
  const state: 'copied' | 'unchanged' = start.unchanged ? 'unchanged' : 'copied';
  const report: FolderReport & { state: typeof state } = { ...folderReport(ref, cp, state, start.status.messages, copiedThisPass), state };
  if (reconciled) report.reconciled = true;
  if (repaired) report.repaired = repaired;
  return report;
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
    vanished: cp?.vanished ?? 0,
    skipped: cp?.skipped ?? [],
    failed: cp?.failed ?? [],
    copiedThisPass,
    ...(ref.archivedOnly ? { archivedOnly: true as const } : {}),
    ...(error ? { error } : {}),
  };
}
