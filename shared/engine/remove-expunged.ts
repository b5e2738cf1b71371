import type { FolderRef } from '../contracts/engine-types.js';
import type { DestinationWriter } from '../contracts/imap-ports.js';
import type { EngineDeps } from './engine-deps.js';
import { effectiveControls } from '../domain/controls/read-controls.js';

const DELETE_CHUNK = 500;

export const NO_UIDPLUS = 'the destination does not offer UIDPLUS: only UID EXPUNGE removes exactly our copies';
export const DESTINATION_RECREATED = 'the destination folder was re-created (UIDVALIDITY changed): its UIDs name other messages';

export interface ExpungeSyncResult {
  /** Destination copies removed because their source message was expunged since it was copied. */
  deleted: number;
  /** Why nothing could be removed, when that is the case. */
  skippedReason?: string;
}

/**
 * Cut-over, opt-in (DELETE_AT_CUTOVER or the row's DeleteAtCutover): messages expunged at the
 * source since they were copied are removed at the destination. Only through the ledger's UID map
 * (source UID → the destination UID APPENDUID gave for the copy, or of the identical message a
 * retry found there): a destination message the migration did not copy is in no pair and is never
 * touched. Nothing is removed when either folder's UIDVALIDITY is not the map's (the UIDs would
 * name other messages), nor on a server without UIDPLUS (only UID EXPUNGE removes exactly these).
 */
export async function removeExpunged(deps: EngineDeps, ref: FolderRef): Promise<ExpungeSyncResult> {
  const map = await deps.checkpoints.readUidMap(ref.mailbox, ref.sourcePath);
  const cp = await deps.checkpoints.get(ref.mailbox, ref.sourcePath);
  if (!map || map.pairs.size === 0 || !cp) return { deleted: 0 };
  const atSource = await deps.pool.with('source', ref.sourceEmail, async (s) => {
    const sel = await s.select(ref.sourcePath, true);
    if (sel.uidValidity !== cp.uidValidity) return undefined;
    return new Set(sel.messages === 0 ? [] : (await s.fetchFlags('1:*')).map((m) => m.uid));
  });
  if (!atSource) return { deleted: 0, skippedReason: 'the source folder was re-created (UIDVALIDITY changed): its UIDs name other messages' };
  // Pairs past lastUid belong to a range not yet settled: left alone.
  const gone = [...map.pairs].filter(([src, dst]) => src > 0 && dst > 0 && src <= cp.lastUid && !atSource.has(src)).map(([, dst]) => dst);
  if (gone.length === 0) return { deleted: 0 };
  return deps.pool.with('destination', ref.destinationEmail, async (d) => {
    const sel = await d.select(ref.destinationPath, false);
    if (sel.uidValidity !== map.destUidValidity) return { deleted: 0, skippedReason: DESTINATION_RECREATED };
    const removed = await removeCopies(d, gone);
    return { deleted: removed.deleted, ...(removed.noUidplus ? { skippedReason: NO_UIDPLUS } : {}) };
  });
}

/**
 * Removes these destination UIDs of the selected folder (our copies, from the UID map; the caller
 * has checked its UIDVALIDITY), those still there, by UID EXPUNGE. Stops at a server without
 * UIDPLUS: a plain EXPUNGE would take messages a user marked \Deleted too.
 */
export async function removeCopies(d: DestinationWriter, uids: readonly number[]): Promise<{ deleted: number; noUidplus?: true }> {
  let deleted = 0;
  for (let i = 0; i < uids.length; i += DELETE_CHUNK) {
    // Those still there (a user may have removed some already).
    const there = (await d.fetchFlags(uids.slice(i, i + DELETE_CHUNK).join(','))).map((m) => m.uid);
    if (there.length === 0) continue;
    if ((await d.deleteMessages(there.join(','))) === 'no-uidplus') return { deleted, noUidplus: true };
    deleted += there.length;
  }
  return { deleted };
}

/** Whether this pair's cut-over removes expunged messages (off by default). */
export function deletesAtCutover(deps: Pick<EngineDeps, 'settings'>, of: { controls?: FolderRef['controls'] }): boolean {
  return effectiveControls(deps.settings.controls, of.controls).deleteAtCutover === true;
}
