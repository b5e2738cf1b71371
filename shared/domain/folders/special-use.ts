import type { DestinationKind, FolderInfo } from './folder-types.js';

// RFC 6154 special-use roles. Mail roles get mapped onto the destination's folder of the same
// role; virtual roles are views over other folders. `\Flagged` and `\Important` are never
// copied (the \Flagged flag carries a star). `\All` (Gmail's "All Mail") is copied only in part:
// the messages found in no other folder, which on Gmail is archived mail without a label and
// exists nowhere else (copying it whole would duplicate every message of the mailbox).

export type MailRole = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive';

export const MAIL_ROLES: readonly MailRole[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive'];

/** `\Important` (RFC 8457) is Gmail's auto-importance view: a copy of messages stored elsewhere. */
const VIRTUAL_ROLES = ['\\all', '\\flagged', '\\important'];

/** Gmail's top-level `\Noselect` container of its system folders ("Google Mail" in some locales). */
const GMAIL_CONTAINERS = ['[gmail]', '[google mail]'];

const DEFAULT_NAMES: Record<DestinationKind, Record<MailRole, string>> = {
  exchange: { '\\Sent': 'Sent Items', '\\Drafts': 'Drafts', '\\Trash': 'Deleted Items', '\\Junk': 'Junk Email', '\\Archive': 'Archive' },
  generic: { '\\Sent': 'Sent', '\\Drafts': 'Drafts', '\\Trash': 'Trash', '\\Junk': 'Junk', '\\Archive': 'Archive' },
};

/**
 * Usual names of role folders on servers that do not announce SPECIAL-USE: Outlook/Exchange,
 * Apple Mail, Thunderbird, Gmail, and German Exchange/Outlook. Kept short on purpose: a wrong
 * guess merges a user's folder into a system folder.
 */
const USUAL_NAMES: Record<MailRole, readonly string[]> = {
  '\\Sent': ['sent', 'sent items', 'sent messages', 'sent mail', 'gesendete elemente', 'gesendete objekte'],
  '\\Drafts': ['drafts', 'draft', 'entwürfe'],
  '\\Trash': ['trash', 'deleted items', 'deleted messages', 'bin', 'gelöschte elemente', 'papierkorb'],
  '\\Junk': ['junk', 'junk email', 'junk e-mail', 'junk-e-mail', 'spam', 'bulk mail'],
  '\\Archive': ['archive', 'archives', 'archiv'],
};

function attributes(folder: FolderInfo): string[] {
  const all = folder.specialUse === undefined ? folder.flags : [folder.specialUse, ...folder.flags];
  return all.map((flag) => flag.toLowerCase());
}

export function hasFlag(folder: FolderInfo, flag: string): boolean {
  return attributes(folder).includes(flag.toLowerCase());
}

/** `\Noselect` (RFC 3501) and `\NonExistent` (RFC 5258) folders cannot hold messages. */
export function isSelectable(folder: FolderInfo): boolean {
  return !hasFlag(folder, '\\Noselect') && !hasFlag(folder, '\\NonExistent');
}

/** The mail role announced by the server (specialUse or raw LIST attributes), if any. */
export function announcedRole(folder: FolderInfo): MailRole | undefined {
  const announced = attributes(folder);
  return MAIL_ROLES.find((role) => announced.includes(role.toLowerCase()));
}

/** The virtual role (`\All`, `\Flagged`, `\Important`) announced by the server, if any. */
export function virtualRole(folder: FolderInfo): string | undefined {
  const announced = attributes(folder);
  const role = VIRTUAL_ROLES.find((r) => announced.includes(r));
  return role === undefined ? undefined : `\\${role.charAt(1).toUpperCase()}${role.slice(2)}`;
}

/** `\All` (RFC 6154): every message of the mailbox, including those in no other folder. */
export function isAllMessagesView(folder: FolderInfo): boolean {
  return hasFlag(folder, '\\All');
}

export function isGmailContainerName(name: string): boolean {
  return GMAIL_CONTAINERS.includes(name.toLowerCase());
}

export function isGmailContainer(segments: readonly string[], folder: FolderInfo): boolean {
  return segments.length === 1 && isGmailContainerName(segments[0] ?? '') && hasFlag(folder, '\\Noselect');
}

/** The role a folder's own name suggests, for servers without SPECIAL-USE. */
export function roleFromName(name: string): MailRole | undefined {
  const lower = name.trim().toLowerCase();
  return MAIL_ROLES.find((role) => USUAL_NAMES[role].includes(lower));
}

export function defaultRoleName(kind: DestinationKind, role: MailRole): string {
  return DEFAULT_NAMES[kind][role];
}
