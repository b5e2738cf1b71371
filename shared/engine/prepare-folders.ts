import { planFolderMapping, type FolderPlan } from '../domain/folders/index.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import type { SkippedFolder } from '../contracts/report.js';
import type { FolderTask, PreparedFolders } from '../contracts/engine-types.js';
import { MigrationError } from '../errors/migration-error.js';
import type { EngineDeps } from './engine-deps.js';
import { folderFilter } from '../domain/controls/folder-filter.js';
import { effectiveControls } from '../domain/controls/read-controls.js';

export type { FolderTask, PreparedFolders };

/**
 * Lists both sides, maps source folders to destination names (special-use, delimiters,
 * names the destination refuses), and creates what is missing at the destination, parents
 * first. A folder the destination refuses to create is reported, never silently dropped.
 */
export async function prepareFolders(deps: EngineDeps, pair: MailboxPair, opts: { create?: boolean } = {}): Promise<PreparedFolders> {
  const { sourceEmail, destinationEmail } = pair;
  const create = opts.create ?? true;
  const { pool, settings } = deps;
  // Both sides log in and list at once; a source failure is the one reported when both fail.
  const [listedSource, listedDestination] = await Promise.allSettled([
    pool.withFolders('source', sourceEmail, (s) => s.listFolders()),
    pool.withFolders('destination', destinationEmail, (d) => d.listFolders()),
  ]);
  if (listedSource.status === 'rejected') throw listedSource.reason;
  if (listedDestination.status === 'rejected') throw listedDestination.reason;
  const sourceFolders = listedSource.value;
  const destFolders = listedDestination.value;
  // Folders the controls leave out are planned like the rest (names stay as the full plan gives
  // them, pass after pass) but get no task, and are created only to hold a kept subfolder.
  const filter = folderFilter(sourceFolders, effectiveControls(settings.controls, pair.controls));
  const holdsKept = (path: string): boolean => sourceFolders.some((f) => !filter.left.has(f.path) && f.delimiter !== '' && f.path.startsWith(`${path}${f.delimiter}`));
  return pool.withFolders('destination', destinationEmail, async (dst) => {
    const plan: FolderPlan = planFolderMapping(sourceFolders, {
      delimiter: destFolders[0]?.delimiter ?? '/',
      folders: destFolders,
      kind: settings.destination.serverKind,
      ...(settings.allMailArchiveFolder === undefined ? {} : { archiveFolder: settings.allMailArchiveFolder }),
    });
    const skipped: SkippedFolder[] = plan.skipped.filter((s) => !filter.left.has(s.sourcePath)).map((s) => ({ sourcePath: s.sourcePath, code: s.code, reason: s.reason }));
    const folders: FolderTask[] = [];
    const failedParents: string[] = [];
    for (const m of plan.mappings) {
      if (filter.left.has(m.sourcePath) && !holdsKept(m.sourcePath)) continue;
      if (failedParents.some((p) => m.sourcePath.startsWith(p))) {
        skipped.push({ sourcePath: m.sourcePath, code: 'NAME_REJECTED', reason: 'its parent folder could not be created at the destination' });
        continue;
      }
      if (m.create && create) {
        try {
          await dst.createFolder(m.destinationPath);
        } catch (e) {
          const err = e instanceof MigrationError ? e : new MigrationError('FOLDER_NAME_REJECTED', 'permanent', String(e));
          if (err.errorClass !== 'permanent') throw err;
          skipped.push({ sourcePath: m.sourcePath, code: 'NAME_REJECTED', reason: `destination refused to create "${m.destinationPath}": ${err.message}` });
          failedParents.push(m.sourcePath);
          continue;
        }
      }
      if (m.selectable && !filter.left.has(m.sourcePath)) folders.push({ sourcePath: m.sourcePath, destinationPath: m.destinationPath, ...(m.specialUse ? { specialUse: m.specialUse } : {}), ...(m.archivedOnly ? { archivedOnly: true as const } : {}), ...(m.create && create ? { createdAtDestination: true as const } : {}) });
    }
    return { folders, skipped, renamed: plan.renamed.filter((r) => !filter.left.has(r.sourcePath)).map((r) => ({ ...r })), ...(filter.excluded.length > 0 ? { excluded: filter.excluded } : {}) };
  });
}
