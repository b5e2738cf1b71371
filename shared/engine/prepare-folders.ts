import { planFolderMapping, type FolderMapping, type FolderPlan } from '../domain/folders/index.js';
import { isSelectable } from '../domain/folders/special-use.js';
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
/** `onListed`: told the source folders a pass may copy (their paths), as soon as both sides are listed (before any folder is created). */
export async function prepareFolders(deps: EngineDeps, pair: MailboxPair, opts: { create?: boolean; onListed?: (sourcePaths: string[]) => void } = {}): Promise<PreparedFolders> {
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
  opts.onListed?.(sourceFolders.filter((f) => !filter.left.has(f.path) && isSelectable(f)).map((f) => f.path));
  const holdsKept = (path: string): boolean => sourceFolders.some((f) => !filter.left.has(f.path) && f.delimiter !== '' && f.path.startsWith(`${path}${f.delimiter}`));
  return pool.withFolders('destination', destinationEmail, async (dst) => {
    const delimiter = destFolders[0]?.delimiter ?? '/';
    const plan: FolderPlan = planFolderMapping(sourceFolders, {
      delimiter,
      folders: destFolders,
      kind: settings.destination.serverKind,
      ...(settings.allMailArchiveFolder === undefined ? {} : { archiveFolder: settings.allMailArchiveFolder }),
    });
    const skipped: SkippedFolder[] = plan.skipped.filter((s) => !filter.left.has(s.sourcePath)).map((s) => ({ sourcePath: s.sourcePath, code: s.code, reason: s.reason }));
    const folders: FolderTask[] = [];
    const failedParents: string[] = [];
    const refused = new Map<string, string>();
    const kept = plan.mappings.filter((m) => !filter.left.has(m.sourcePath) || holdsKept(m.sourcePath));
    // Below a refused folder: its path and then its own delimiter ("Team/Plans" under "Team", not "Teamwork").
    const delimiterOf = new Map(sourceFolders.map((f) => [f.path, f.delimiter || '/']));
    const underFailed = (m: FolderMapping): boolean => failedParents.some((p) => m.sourcePath.startsWith(`${p}${delimiterOf.get(p) ?? '/'}`));
    // Parents first, one depth at a time; the folders of one depth go together (pipelined where
    // the connection allows: a round trip per depth on a far server, not one per folder).
    const toCreate = create ? kept.filter((m) => m.create) : [];
    const depth = (m: FolderMapping): number => m.destinationPath.split(delimiter).length;
    for (const d of [...new Set(toCreate.map(depth))].sort((a, b) => a - b)) {
      const wave = toCreate.filter((m) => depth(m) === d && !underFailed(m));
      const created = await Promise.allSettled(wave.map((m) => dst.createFolder(m.destinationPath)));
      created.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        const m = wave[i]!;
        const err = r.reason instanceof MigrationError ? r.reason : new MigrationError('FOLDER_NAME_REJECTED', 'permanent', String(r.reason));
        if (err.errorClass !== 'permanent') throw err;
        refused.set(m.sourcePath, `destination refused to create "${m.destinationPath}": ${err.message}`);
      });
      failedParents.push(...wave.filter((m) => refused.has(m.sourcePath)).map((m) => m.sourcePath));
    }
    for (const m of kept) {
      const reason = refused.get(m.sourcePath);
      if (reason !== undefined) {
        skipped.push({ sourcePath: m.sourcePath, code: 'NAME_REJECTED', reason });
        continue;
      }
      if (underFailed(m)) {
        skipped.push({ sourcePath: m.sourcePath, code: 'NAME_REJECTED', reason: 'its parent folder could not be created at the destination' });
        continue;
      }
      if (m.selectable && !filter.left.has(m.sourcePath)) folders.push({ sourcePath: m.sourcePath, destinationPath: m.destinationPath, ...(m.specialUse ? { specialUse: m.specialUse } : {}), ...(m.archivedOnly ? { archivedOnly: true as const } : {}), ...(m.create && create ? { createdAtDestination: true as const } : {}) });
    }
    return { folders, skipped, renamed: plan.renamed.filter((r) => !filter.left.has(r.sourcePath)).map((r) => ({ ...r })), ...(filter.excluded.length > 0 ? { excluded: filter.excluded } : {}) };
  });
}
