import type { GoneFolder } from '../contracts/engine-types.js';
import type { DestinationWriter } from '../contracts/imap-ports.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import type { GoneFolderReport } from '../contracts/report.js';
import { effectiveControls } from '../domain/controls/read-controls.js';
import { classify } from '../errors/classify.js';
import type { EngineDeps } from './engine-deps.js';
import { DESTINATION_RECREATED, NO_UIDPLUS, removeCopies } from './remove-expunged.js';

/** Whether this pair's cut-over deletes the copies of folders gone at the source (off by default). */
export function deletesGoneFolders(deps: Pick<EngineDeps, 'settings'>, pair: Pick<MailboxPair, 'controls'>): boolean {
  return effectiveControls(deps.settings.controls, pair.controls).deleteGoneFolders === true;
}

/**
 * Cut-over, opt-in (DELETE_GONE_FOLDERS_AT_CUTOVER or the row's DeleteGoneFoldersAtCutover): for
 * each folder the ledger has and the source no longer lists, the copies the migration made are
 * removed at the destination through the folder's UID map (UID EXPUNGE, only with UIDPLUS and an
 * unchanged UIDVALIDITY, as for expunged messages), then the destination folder is deleted only if
 * it is then empty and has no subfolders. A message we did not copy is never touched: a folder
 * still holding one is kept, and so are INBOX, special-use folders and a folder another source
 * folder is still copied into. `live` holds the destination paths this pass copies into.
 */
export async function removeGoneFolders(deps: EngineDeps, pair: MailboxPair, gone: readonly GoneFolder[], live: ReadonlySet<string>): Promise<GoneFolderReport[]> {
  if (gone.length === 0) return [];
  const done = new Map<string, GoneFolderReport>();
  const unreached = (e: unknown) => gone.map((g): GoneFolderReport => done.get(g.sourcePath) ?? { ...g, folderDeleted: false, keptBecause: `the destination could not be reached (${classify(e, 'destination').code})` });
  try {
    await deps.pool.with('destination', pair.destinationEmail, async (d) => {
      const listed = await d.listFolders();
      const present = new Set(listed.map((f) => f.path));
      // Deepest first: a gone parent whose gone subfolders were deleted may be left empty itself.
      for (const g of [...gone].sort((a, b) => b.destinationPath.length - a.destinationPath.length)) {
        const folder = listed.find((f) => f.path === g.destinationPath);
        let r: GoneFolderReport;
        try {
          r = folder && present.has(folder.path) ? await removeGoneFolder(deps, d, pair, g, { ...folder, present, live }) : { ...g, removedAtCutover: 0, folderDeleted: false, keptBecause: 'the destination folder is no longer there (deleted by an earlier attempt or by a user)' };
        } catch (e) {
          // Mailbox text stays out of the reason: only the code.
          r = { ...g, folderDeleted: false, keptBecause: `the destination folder could not be cleaned up (${classify(e, 'destination').code})` };
        }
        if (r.folderDeleted) present.delete(g.destinationPath);
        done.set(g.sourcePath, r);
      }
    });
  } catch (e) {
    return unreached(e);
  }
  return gone.map((g) => done.get(g.sourcePath)!);
}

async function removeGoneFolder(
  deps: EngineDeps,
  d: DestinationWriter,
  pair: MailboxPair,
  g: GoneFolder,
  at: { path: string; delimiter: string; specialUse?: string; present: ReadonlySet<string>; live: ReadonlySet<string> },
): Promise<GoneFolderReport> {
  const map = await deps.checkpoints.readUidMap(pair.key, g.sourcePath);
  const ours = map ? [...map.pairs].filter(([src, dst]) => src > 0 && dst > 0).map(([, dst]) => dst) : [];
  let removed = 0;
  const kept = (why: string): GoneFolderReport => ({ ...g, removedAtCutover: removed, folderDeleted: false, keptBecause: why });
  // Nothing removed either: the live folder's own map may name the same destination messages.
  if (at.live.has(g.destinationPath)) return kept('another source folder is still copied into it');
  if (ours.length > 0) {
    const sel = await d.select(g.destinationPath, false);
    if (sel.uidValidity !== map!.destUidValidity) return kept(DESTINATION_RECREATED);
    const r = await removeCopies(d, ours);
    removed = r.deleted;
    if (r.noUidplus) return kept(NO_UIDPLUS);
  }
  if (g.destinationPath.toUpperCase() === 'INBOX' || at.specialUse) return kept(`it is the destination's ${at.specialUse ?? 'INBOX'} folder`);
  if (at.delimiter && [...at.present].some((p) => p.startsWith(g.destinationPath + at.delimiter))) return kept('it has subfolders');
  const left = (await d.select(g.destinationPath, false)).messages;
  if (left > 0) return kept(map ? `${left} message(s) the migration did not copy remain in it` : `${left} message(s) remain in it and the ledger has no UID map to tell ours`);
  await d.deleteFolder(g.destinationPath);
  return { ...g, removedAtCutover: removed, folderDeleted: true };
}
