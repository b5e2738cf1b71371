import { isInboxName } from './folder-path.js';
import type { FolderEntry } from './folder-path.js';
import type { DestinationKind } from './folder-types.js';
import {
  announcedRole,
  defaultRoleName,
  hasFlag,
  isGmailContainerName,
  isSelectable,
  MAIL_ROLES,
  roleFromName,
  virtualRole,
} from './special-use.js';
import type { MailRole } from './special-use.js';

// Which source folder plays each mail role (Sent, Drafts, Trash, Junk, Archive), and which
// destination folder it lands in.

/**
 * The one folder per mail role: first the server's own announcement (the first in folder
 * order wins; a second `\Sent` keeps its name), then, for roles nobody announced, the usual
 * names at the top level, directly under INBOX (Courier-style servers) or in Gmail's container.
 */
export function chooseRoleOwners(entries: readonly FolderEntry[]): Map<MailRole, FolderEntry> {
  const owners = new Map<MailRole, FolderEntry>();
  const candidates = entries.filter(
    ({ folder, segments }) =>
      isSelectable(folder) && virtualRole(folder) === undefined && !(segments.length === 1 && isInboxName(segments[0] ?? '')),
  );
  for (const entry of candidates) {
    const role = announcedRole(entry.folder);
    if (role !== undefined && !owners.has(role)) owners.set(role, entry);
  }
  const taken = new Set(owners.values());
  for (const role of MAIL_ROLES) {
    if (owners.has(role)) continue;
    const byName = candidates.find(
      (entry) =>
        !taken.has(entry) &&
        announcedRole(entry.folder) === undefined &&
        nameMayCarryRole(entry) &&
        roleFromName(entry.segments[entry.segments.length - 1] ?? '') === role,
    );
    if (byName) {
      owners.set(role, byName);
      taken.add(byName);
    }
  }
  return owners;
}

/**
 * The destination folder for a role: the one announcing it, else an existing folder with the
 * default name, else (servers without SPECIAL-USE) a top-level folder with a usual name,
 * else the default name, to be created. `existingPath` gives the destination's own spelling
 * of a path it has, by the destination's rules for names.
 */
export function findRoleDestination(
  role: MailRole,
  destination: readonly FolderEntry[],
  existingPath: (path: string) => string | undefined,
  kind: DestinationKind,
): string {
  const announced = destination.find(({ folder }) => hasFlag(folder, role) && isSelectable(folder));
  if (announced) return announced.folder.path;
  const byDefault = existingPath(defaultRoleName(kind, role));
  if (byDefault !== undefined) return byDefault;
  const byName = destination.find(
    ({ folder, segments }) => segments.length === 1 && isSelectable(folder) && roleFromName(segments[0] ?? '') === role,
  );
  return byName?.folder.path ?? defaultRoleName(kind, role);
}

function nameMayCarryRole({ segments }: FolderEntry): boolean {
  if (segments.length === 1) return true;
  if (segments.length !== 2) return false;
  const parent = segments[0] ?? '';
  return isInboxName(parent) || isGmailContainerName(parent);
}
