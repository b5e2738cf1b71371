import { destinationSegment, EXCHANGE_MAX_SEGMENT_LENGTH } from './destination-segment.js';
import type { SegmentChange } from './destination-segment.js';
import { ancestorPaths, INBOX, isInboxName, sortFolders, splitPath } from './folder-path.js';
import type { FolderEntry } from './folder-path.js';
import type { DestinationFolders, FolderInfo, FolderMapping, FolderPlan, RenamedFolder, SkippedFolder } from './folder-types.js';
import { chooseRoleOwners, findRoleDestination } from './role-folders.js';
import { hasFlag, isAllMessagesView, isGmailContainer, isSelectable, virtualRole } from './special-use.js';
import type { MailRole } from './special-use.js';

// Decides where every source folder goes at the destination. Pure and deterministic: the same
// lists give the same plan, so a delta pass re-plans onto exactly the folders the first pass
// created (they then simply exist: create=false).

/** Where a source folder's children go. */
type Placement =
  | { kind: 'root' }
  | { kind: 'placed'; path: string }
  /** Skipped as virtual: its children move up to its parent (Gmail's `[Gmail]/...`). */
  | { kind: 'hoisted'; parent: Placement }
  /** Not migrated: neither are its children. */
  | { kind: 'rejected'; sourcePath: string };

/** Upper bound of the ` (n)` suffixes tried before a colliding folder is skipped. */
const MAX_COLLISION_SUFFIX = 999;

export function planFolderMapping(source: readonly FolderInfo[], destination: DestinationFolders): FolderPlan {
  if (destination.delimiter === '') {
    throw new RangeError('planFolderMapping: destination.delimiter is empty; a destination without folder hierarchy is not supported');
  }
  const exchange = destination.kind === 'exchange';
  /** Identity of a destination path: INBOX is case-insensitive everywhere, all of it on Exchange. */
  const keyOf = (path: string): string => {
    const [first = '', ...rest] = splitPath(path, destination.delimiter);
    const normalised = [isInboxName(first) ? INBOX : first, ...rest].join(destination.delimiter);
    return exchange ? normalised.toLowerCase() : normalised;
  };
  const join = (parent: Placement, segment: string): string =>
    parent.kind === 'placed' ? `${parent.path}${destination.delimiter}${segment}` : segment;

  const destinationEntries = sortFolders(destination.folders);
  /** Destination path identity -> the path as the destination spells it. */
  const existing = new Map<string, string>();
  for (const { folder } of destinationEntries) if (!existing.has(keyOf(folder.path))) existing.set(keyOf(folder.path), folder.path);
  const existingPath = (path: string): string | undefined => existing.get(keyOf(path));

  const entries = sortFolders(source);
  const withChildren = new Set(entries.flatMap(({ folder, segments }) => ancestorPaths(segments, folder.delimiter)));
  const hasChildren = (entry: FolderEntry): boolean => withChildren.has(entry.folder.path) || hasFlag(entry.folder, '\\HasChildren');

  const mappings: FolderMapping[] = [];
  const skipped: SkippedFolder[] = [];
  const renamed: RenamedFolder[] = [];
  const placements = new Map<string, Placement>();
  /** Destination path identity -> the source folder that claimed it. */
  const claims = new Map<string, { sourcePath: string; destinationPath: string }>();
  const roleTargets = new Map<string, { role: MailRole; path: string }>();

  const inboxSource = entries.find(({ segments }) => segments.length === 1 && isInboxName(segments[0] ?? ''));
  claims.set(keyOf(INBOX), { sourcePath: inboxSource?.folder.path ?? INBOX, destinationPath: INBOX });
  // Role folders claim their destination first, so that a plain folder sorted earlier (a
  // user's own "Deleted Items" next to the announced \Trash) cannot take the name.
  for (const [role, owner] of chooseRoleOwners(entries)) {
    const path = findRoleDestination(role, destinationEntries, existingPath, destination.kind);
    roleTargets.set(owner.folder.path, { role, path });
    claims.set(keyOf(path), { sourcePath: owner.folder.path, destinationPath: path });
  }

  // The `\All` view's archived-only messages claim the archive folder next (only the first
  // `\All` folder: a second one, never seen on a real server, stays a skipped view).
  const allMail = planAllMail(entries, (wanted) => {
    for (let n = 1; n <= MAX_COLLISION_SUFFIX; n += 1) {
      const path = n === 1 ? wanted : `${wanted} (${n})`;
      if (!claims.has(keyOf(path))) return path;
    }
    return undefined;
  });
  if (allMail) {
    claims.set(keyOf(allMail.destinationPath), { sourcePath: allMail.target, destinationPath: allMail.destinationPath });
    if (allMail.renamedFrom !== undefined) {
      const reason = `"${allMail.renamedFrom}" is already taken by another source folder`;
      renamed.push({ sourcePath: allMail.target, destinationPath: allMail.destinationPath, code: 'NAME_COLLISION', reason });
    }
  }

  /** The source `\All` folder and where its archived-only messages go, if the source has one. */
  function planAllMail(list: readonly FolderEntry[], free: (wanted: string) => string | undefined): { target: string; destinationPath: string; renamedFrom?: string } | undefined {
    const view = list.find(({ folder }) => isAllMessagesView(folder) && isSelectable(folder));
    if (!view) return undefined;
    const wanted = destination.archiveFolder ?? findRoleDestination('\\Archive', destinationEntries, existingPath, destination.kind);
    const path = free(wanted);
    if (path === undefined) return undefined;
    return { target: view.folder.path, destinationPath: path, ...(path === wanted ? {} : { renamedFrom: wanted }) };
  }

  const skip = (entry: FolderEntry, code: SkippedFolder['code'], reason: string, placement: Placement): Placement => {
    skipped.push({ sourcePath: entry.folder.path, code, reason });
    placements.set(entry.folder.path, placement);
    return placement;
  };

  const map = (
    entry: FolderEntry,
    destinationPath: string,
    extra: { specialUse?: string; selectable: boolean; archivedOnly?: true },
  ): { kind: 'placed'; path: string } => {
    const actual = existingPath(destinationPath);
    const path = actual ?? destinationPath;
    mappings.push({
      sourcePath: entry.folder.path,
      destinationPath: path,
      ...(extra.specialUse === undefined ? {} : { specialUse: extra.specialUse }),
      // INBOX exists on every server, listed or not.
      create: actual === undefined && keyOf(path) !== keyOf(INBOX),
      selectable: extra.selectable,
      ...(extra.archivedOnly ? { archivedOnly: true as const } : {}),
    });
    const placement = { kind: 'placed' as const, path };
    placements.set(entry.folder.path, placement);
    return placement;
  };

  const parentOf = (entry: FolderEntry): Placement => {
    if (entry.segments.length === 1) return { kind: 'root' };
    const segments = entry.segments.slice(0, -1);
    const path = segments.join(entry.folder.delimiter);
    // A parent the server did not list (LIST can omit \NonExistent ones): plan it as a container.
    let parent =
      placements.get(path) ??
      place({ folder: { path, delimiter: entry.folder.delimiter, flags: ['\\Noselect', '\\HasChildren'] }, segments });
    while (parent.kind === 'hoisted') parent = parent.parent;
    return parent;
  };

  function place(entry: FolderEntry): Placement {
    const { folder, segments } = entry;
    const known = placements.get(folder.path);
    if (known) return known;
    const selectable = isSelectable(folder);
    if (segments.length === 1 && isInboxName(segments[0] ?? '')) {
      const holder = claims.get(keyOf(INBOX));
      if (holder && holder.sourcePath !== folder.path) {
        const reason = `INBOX is case-insensitive: "${folder.path}" is the same folder as "${holder.sourcePath}"`;
        return skip(entry, 'NAME_COLLISION', reason, { kind: 'rejected', sourcePath: folder.path });
      }
      return map(entry, INBOX, { selectable });
    }
    if (isGmailContainer(segments, folder)) {
      return skip(entry, 'VIRTUAL_FOLDER', "Gmail's container of its system folders; its subfolders move to the top level", { kind: 'hoisted', parent: { kind: 'root' } });
    }
    if (allMail && allMail.target === folder.path) {
      map(entry, allMail.destinationPath, { selectable: true, archivedOnly: true });
      // A view's children (none on Gmail) go where its parent went.
      const placement: Placement = { kind: 'hoisted', parent: parentOf(entry) };
      placements.set(folder.path, placement);
      return placement;
    }
    const virtual = virtualRole(folder);
    if (virtual !== undefined) {
      const reason = `${virtual} is a virtual folder showing messages stored in other folders; copying it would duplicate them`;
      return skip(entry, 'VIRTUAL_FOLDER', reason, { kind: 'hoisted', parent: parentOf(entry) });
    }
    if (!selectable && !hasChildren(entry)) {
      return skip(entry, 'VIRTUAL_FOLDER', 'not selectable and without subfolders: it holds no messages', { kind: 'rejected', sourcePath: folder.path });
    }
    const target = roleTargets.get(folder.path);
    if (target) return map(entry, target.path, { specialUse: target.role, selectable: true });

    const parent = parentOf(entry);
    if (parent.kind === 'rejected') {
      return skip(entry, 'NAME_REJECTED', `parent folder "${parent.sourcePath}" is not migrated`, { kind: 'rejected', sourcePath: folder.path });
    }
    const segment = destinationSegment(segments[segments.length - 1] ?? '', {
      kind: destination.kind,
      delimiter: destination.delimiter,
      topLevel: parent.kind === 'root',
    });
    if (!segment.ok) return skip(entry, 'NAME_REJECTED', segment.reason, { kind: 'rejected', sourcePath: folder.path });

    const free = freeName(parent, segment.segment, folder.path);
    if (!free.ok) return skip(entry, 'NAME_COLLISION', free.reason, { kind: 'rejected', sourcePath: folder.path });
    const changes = [...segment.changes, ...free.changes];
    const placement = map(entry, free.path, { selectable });
    const destinationPath = placement.path;
    claims.set(keyOf(destinationPath), { sourcePath: folder.path, destinationPath });
    const [first] = changes;
    if (first) renamed.push({ sourcePath: folder.path, destinationPath, code: first.code, reason: changes.map((c) => c.reason).join('; ') });
    return placement;
  }

  /** The wanted name, or the first free `name (n)` when another source folder has it already. */
  function freeName(
    parent: Placement,
    segment: string,
    sourcePath: string,
  ): { ok: true; path: string; changes: SegmentChange[] } | { ok: false; reason: string } {
    const wanted = join(parent, segment);
    const holder = claims.get(keyOf(wanted));
    if (holder === undefined || holder.sourcePath === sourcePath) return { ok: true, path: wanted, changes: [] };
    const caseOnly = exchange && holder.destinationPath !== wanted;
    const reason =
      `"${wanted}" is already taken by source folder "${holder.sourcePath}"` +
      (caseOnly ? ' (Exchange folder names are case-insensitive)' : '');
    for (let n = 2; n <= MAX_COLLISION_SUFFIX; n += 1) {
      const candidate = `${segment} (${n})`;
      if (exchange && candidate.length > EXCHANGE_MAX_SEGMENT_LENGTH) break;
      const path = join(parent, candidate);
      if (!claims.has(keyOf(path))) return { ok: true, path, changes: [{ code: 'NAME_COLLISION', reason }] };
    }
    return { ok: false, reason: `${reason}, and no free numbered name is left` };
  }

  for (const entry of entries) place(entry);
  return { mappings, skipped, renamed };
}
