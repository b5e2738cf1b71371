import { planFolderMapping, type FolderMapping, type FolderPlan } from '../domain/folders/index.js';
import { isSelectable } from '../domain/folders/special-use.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import type { SkippedFolder } from '../contracts/report.js';
import type { FolderTask, PreparedFolders } from '../contracts/engine-types.js';
import { MigrationError } from '../errors/migration-error.js';
import type { EngineDeps } from './engine-deps.js';
import { listedStatuses, STATUS_ROUND } from './folder-pass.js';
import type { FolderStatus } from '../contracts/imap.js';
import { folderFilter } from '../domain/controls/folder-filter.js';
import { effectiveControls } from '../domain/controls/read-controls.js';

export type { FolderTask, PreparedFolders };

export interface PrepareFoldersOptions {
  create?: boolean;
  /**
   * Told the source folders a pass may copy (their paths) as soon as both sides are listed (before
   * any folder is created), with the STATUS of those the listing answered (LIST-STATUS).
   */
  onListed?: (sourcePaths: string[], statuses: ReadonlyMap<string, FolderStatus>) => void;
  /** With onListed: the source's listing asks no STATUS (the caller has them already). */
  sourceStatusKnown?: boolean;
  /**
   * The folders earlier passes copied (the ledger's paths on each side): where a server does not
   * answer STATUS within LIST, theirs are asked right behind its LIST, in the same round trip.
   */
  expected?: { source: readonly string[]; destination: readonly string[] };
  /**
   * Told the destination STATUS answers taken on the way (destination path → status): those of
   * the listing (LIST-STATUS) and of the folders created, each asked with its CREATE. A folder not
   * told is asked by the caller.
   */
  onDestinationStatus?: (statuses: ReadonlyMap<string, FolderStatus>) => void;
}

/** What a listing is asked for STATUS: the folders expected where there are any, else whatever the server answers with it. */
const statusAsk = (expected: readonly string[] | undefined): true | readonly string[] => (expected && expected.length > 0 ? expected : true);

/**
 * Lists both sides, maps source folders to destination names (special-use, delimiters,
 * names the destination refuses), and creates what is missing at the destination, parents
 * first. A folder the destination refuses to create is reported, never silently dropped.
 */
export async function prepareFolders(deps: EngineDeps, pair: MailboxPair, opts: PrepareFoldersOptions = {}): Promise<PreparedFolders> {
  const { sourceEmail, destinationEmail } = pair;
  const create = opts.create ?? true;
  const { pool, settings } = deps;
  // Both sides log in and list at once; a source failure is the one reported when both fail.
  const [listedSource, listedDestination] = await Promise.allSettled([
    pool.withFolders('source', sourceEmail, (s) => s.listFolders({ status: opts.onListed !== undefined && opts.sourceStatusKnown !== true && statusAsk(opts.expected?.source) })),
    pool.withFolders('destination', destinationEmail, (d) => d.listFolders({ status: opts.onDestinationStatus !== undefined && statusAsk(opts.expected?.destination) })),
  ]);
  if (listedSource.status === 'rejected') throw listedSource.reason;
  if (listedDestination.status === 'rejected') throw listedDestination.reason;
  const sourceFolders = listedSource.value;
  const destFolders = listedDestination.value;
  // Folders the controls leave out are planned like the rest (names stay as the full plan gives
  // them, pass after pass) but get no task, and are created only to hold a kept subfolder.
  const filter = folderFilter(sourceFolders, effectiveControls(settings.controls, pair.controls));
  const mayCopy = sourceFolders.filter((f) => !filter.left.has(f.path) && isSelectable(f));
  opts.onListed?.(mayCopy.map((f) => f.path), listedStatuses(mayCopy));
  const destinationStatuses = listedStatuses(destFolders);
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
    // The folders already there whose STATUS the listing did not carry are asked it beside the first
    // CREATEs, not in a round after them (one round's worth: the caller asks any rest).
    const creating = new Set(toCreate);
    const existing = opts.onDestinationStatus ? kept.filter((m) => m.selectable && !filter.left.has(m.sourcePath) && !creating.has(m) && !destinationStatuses.has(m.destinationPath)).map((m) => m.destinationPath) : [];
    const early = existing.length > 0 ? dst.statusMany(existing.slice(0, STATUS_ROUND)).catch(() => new Map<string, FolderStatus>()) : undefined;
    const depth = (m: FolderMapping): number => m.destinationPath.split(delimiter).length;
    for (const d of [...new Set(toCreate.map(depth))].sort((a, b) => a - b)) {
      const wave = toCreate.filter((m) => depth(m) === d && !underFailed(m));
      // Each asked its STATUS in the same round trip where the connection pipelines: the pass need not ask again.
      const created = await Promise.allSettled(wave.map((m) => dst.createFolder(m.destinationPath, { status: opts.onDestinationStatus !== undefined })));
      created.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          if (r.value) destinationStatuses.set(wave[i]!.destinationPath, r.value);
          return;
        }
        const m = wave[i]!;
        const err = r.reason instanceof MigrationError ? r.reason : new MigrationError('FOLDER_NAME_REJECTED', 'permanent', String(r.reason));
        if (err.errorClass !== 'permanent') throw err;
        refused.set(m.sourcePath, `destination refused to create "${m.destinationPath}": ${err.message}`);
      });
      failedParents.push(...wave.filter((m) => refused.has(m.sourcePath)).map((m) => m.sourcePath));
    }
    for (const [path, status] of (await early) ?? []) destinationStatuses.set(path, status);
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
    opts.onDestinationStatus?.(destinationStatuses);
    return { folders, skipped, renamed: plan.renamed.filter((r) => !filter.left.has(r.sourcePath)).map((r) => ({ ...r })), ...(filter.excluded.length > 0 ? { excluded: filter.excluded } : {}) };
  });
}
