import type { FlagSyncResult, FolderRef } from '../contracts/engine-types.js';
import type { EngineDeps } from './engine-deps.js';
import { deletesAtCutover, removeExpunged } from './remove-expunged.js';
import { syncFolderFlags } from './sync-flags.js';

/**
 * A folder's cut-over step after its final copy, for both drivers (the CLI's copyFolder, the
 * app's syncFolderFlags activity): flag changes carried, then, where the pair opted in, the copies
 * of messages expunged at the source since removed.
 */
export async function cutOverFolder(deps: EngineDeps, ref: FolderRef): Promise<FlagSyncResult> {
  const flags = await syncFolderFlags(deps, ref);
  if (!deletesAtCutover(deps, ref)) return flags;
  const removed = await removeExpunged(deps, ref);
  return { ...flags, deleted: removed.deleted, ...(removed.skippedReason ? { deleteSkippedReason: removed.skippedReason } : {}) };
}
