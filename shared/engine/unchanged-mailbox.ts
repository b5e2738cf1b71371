import type { FolderReport } from '../contracts/report.js';
import type { FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { FolderStatus } from '../contracts/imap.js';
import { isAllMessagesView, isSelectable, virtualRole } from '../domain/folders/special-use.js';
import { destinationRecord, destinationRepair } from '../domain/checkpoints/destination-repair.js';
import type { EngineDeps } from './engine-deps.js';
import { folderRef, folderReport, listedStatuses } from './folder-pass.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import type { ExcludedFolder } from '../contracts/mailbox-controls.js';
import { folderFilter } from '../domain/controls/folder-filter.js';
import { effectiveControls } from '../domain/controls/read-controls.js';
import { coverageHolds } from '../domain/checkpoints/window-coverage.js';
import { passWindow } from './pass-window.js';

export interface SourceLook {
  /** Every folder of the mailbox is as the last completed pass left it: their reports. */
  unchanged?: FolderReport[];
  /** The STATUS answers taken on the way (source path → status), for the full pass to reuse. */
  statuses: Map<string, FolderStatus>;
  /** With `unchanged`: the folders the controls leave out, for the report. */
  excluded?: ExcludedFolder[];
}

/**
 * A delta pass first looks at the source: LIST and, in the same round trip, one STATUS per folder
 * of the ledger on the same session, pipelined behind it (or within it: LIST-STATUS); and at the same time at the destination: one pipelined STATUS round for the folders
 * of the ledger (no LIST). When every selectable folder has a ledger
 * entry whose last completed pass saw the same UIDVALIDITY, UIDNEXT and message count, no folder
 * appeared or vanished, and every destination folder still holds what we put there (same
 * UIDVALIDITY, no fewer messages), nothing can have to be copied. Anything else (a new, changed or
 * vanished folder, a folder the last pass skipped, a range in flight, a destination folder
 * deleted, recreated or emptied by a user) leaves `unchanged` undefined and the caller runs the
 * full pass, reusing the source STATUS answers.
 */
export async function lookAtSource(deps: EngineDeps, pair: MailboxPair): Promise<SourceLook> {
  const statuses = new Map<string, FolderStatus>();
  const cps = new Map((await deps.checkpoints.list(pair.key)).map((cp) => [cp.sourcePath, cp]));
  if (cps.size === 0) return { statuses };
  // Both rounds at once: the destination's costs a no-change delta one round trip's time at most.
  const atDestination = deps.pool.withFolders('destination', pair.destinationEmail, (d) => d.statusMany([...cps.values()].map((cp) => cp.destinationPath)));
  atDestination.catch(() => undefined); // awaited below, unless the source already said "changed"
  return deps.pool.withFolders('source', pair.sourceEmail, async (src) => {
    // One round trip: STATUS within LIST where the server answers it there (LIST-STATUS), else the
    // ledger's folders asked right behind the LIST (an unchanged mailbox lists just those).
    const all = await src.listFolders({ status: [...cps.keys()] });
    // Folders the controls leave out have no ledger entry, and never will: not a change.
    const filter = folderFilter(all, effectiveControls(deps.settings.controls, pair.controls));
    // Views the mapping never copies (Gmail's Starred and Important) have no ledger entry either;
    // the \All folder has one (its archived-only messages are copied), so it is compared.
    const listed = all.filter((f) => isSelectable(f) && !filter.left.has(f.path) && (virtualRole(f) === undefined || isAllMessagesView(f)));
    const kept = [...cps.keys()].filter((path) => !filter.left.has(path)).length;
    if (listed.length !== kept || listed.some((f) => !cps.has(f.path))) return { statuses };
    // A folder the last pass did not finish (or never saw) needs the full pass anyway.
    // So does one whose earlier passes copied a narrower date window than this one.
    const window = passWindow(deps, pair);
    const settled = (cp: FolderCheckpoint): boolean => cp.lastStatus !== undefined && !cp.inFlight && cp.dedupeFromDestUid === undefined && coverageHolds(cp, window);
    if (listed.some((f) => !settled(cps.get(f.path)!))) return { statuses };
    // The rest: all STATUS commands in one round trip where the connection can pipeline them.
    const got = listedStatuses(listed);
    const ask = listed.filter((f) => !got.has(f.path)).map((f) => f.path);
    if (ask.length > 0) for (const [path, status] of await src.statusMany(ask)) got.set(path, status);
    const reports: FolderReport[] = [];
    for (const f of listed) {
      const cp = cps.get(f.path)!;
      const last = cp.lastStatus!;
      const status = got.get(f.path);
      if (!status || status.uidValidity !== last.uidValidity || status.uidNext !== last.uidNext || status.messages !== last.messages) return { statuses: got };
      // The ledger does not say which folder is the \All one; its listing does (the report counts its archived-only messages).
      reports.push(folderReport(folderRef(pair, { ...cp, ...(isAllMessagesView(f) ? { archivedOnly: true as const } : {}) }), cp, 'unchanged', status.messages, 0));
    }
    // A destination folder not answered (gone, or refused) or no longer holding what we put there: the full pass repairs it.
    const dest = await atDestination.catch(() => undefined);
    const intact = (cp: FolderCheckpoint): boolean => {
      const now = dest?.get(cp.destinationPath);
      return now !== undefined && destinationRepair(cp.destination, { status: now }) === undefined;
    };
    if (![...cps.values()].filter((cp) => cp.destination && !filter.left.has(cp.sourcePath)).every(intact)) return { statuses: got };
    // A ledger from before destination records: recorded from now on.
    for (const cp of cps.values()) {
      const now = dest?.get(cp.destinationPath);
      if (!cp.destination && now) await deps.checkpoints.put(pair.key, { ...cp, destination: destinationRecord(cp, now) });
    }
    return { unchanged: reports, statuses: got, ...(filter.excluded.length > 0 ? { excluded: filter.excluded } : {}) };
  });
}
