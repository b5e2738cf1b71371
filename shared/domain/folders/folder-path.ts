import type { FolderInfo } from './folder-types.js';

// Path helpers shared by the planner. INBOX is special in IMAP: its name is case-insensitive
// on every server (RFC 3501 5.1), whatever the server does with other names.

export const INBOX = 'INBOX';

export function isInboxName(name: string): boolean {
  return name.toUpperCase() === INBOX;
}

/** A server without hierarchy (NIL delimiter) has one segment per name. */
export function splitPath(path: string, delimiter: string): string[] {
  return delimiter === '' ? [path] : path.split(delimiter);
}

/**
 * Deterministic folder order: INBOX first, then segment by segment in code-point order, so a
 * parent always precedes its children and the result never depends on the server's order
 * or on the runtime's locale.
 */
export function compareSegments(a: readonly string[], b: readonly string[]): number {
  const inboxA = a.length > 0 && isInboxName(a[0] ?? '');
  const inboxB = b.length > 0 && isInboxName(b[0] ?? '');
  if (inboxA !== inboxB) return inboxA ? -1 : 1;
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i += 1) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** A folder with its path split into segments. */
export interface FolderEntry {
  folder: FolderInfo;
  segments: string[];
}

/** Unique by path (the first listing wins), in the planner's deterministic order. */
export function sortFolders(folders: readonly FolderInfo[]): FolderEntry[] {
  const seen = new Set<string>();
  const entries: FolderEntry[] = [];
  for (const folder of folders) {
    if (seen.has(folder.path)) continue;
    seen.add(folder.path);
    entries.push({ folder, segments: splitPath(folder.path, folder.delimiter) });
  }
  return entries.sort((a, b) => compareSegments(a.segments, b.segments));
}

/** Every proper ancestor path of a folder, outermost first. */
export function ancestorPaths(segments: readonly string[], delimiter: string): string[] {
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join(delimiter));
}
